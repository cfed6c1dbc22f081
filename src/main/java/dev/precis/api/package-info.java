/**
 * The HTTP API (Quarkus REST): {@code POST /v1/compress}, {@code GET /v1/encodings}, request checks with
 * {@code application/problem+json} errors, body limits, metrics and readiness. The only package besides
 * {@code config} that knows Quarkus.
 */
package dev.precis.api;
