/**
 * The OpenAI-compatible proxy over HTTP (Vert.x routes beside Quarkus REST): {@code POST /v1/chat/completions}
 * compressed on a worker thread by {@link dev.precis.proxy.ChatCompressor} and forwarded with a non-blocking
 * client, responses (server-sent event streams included) piped back chunk by chunk; every other {@code /v1/*} path
 * but Precis' own ({@code /v1/compress}, {@code /v1/encodings}) passed through verbatim; errors in OpenAI's shape;
 * metrics.
 */
package dev.precis.api.proxy;
