/**
 * The engine: the request and result records, and {@link dev.precis.engine.PrecisEngine}, which runs segment, rank,
 * plan and render for one request and reports per-document decisions, usage, stage timings and, on request, why
 * each unit was kept or dropped. Plain Java: the service wires it in {@code dev.precis.api}.
 */
package dev.precis.engine;
