/**
 * The OpenAI-compatible proxy's logic, plain Java: what in a chat completion request is context, the budget it
 * gets, and the request rewritten with that context compressed.
 *
 * <p>{@link dev.precis.proxy.ChatContext} reads a request: the question is the text of the last {@code user}
 * message (without its tagged context); context is the text inside {@code <context>…</context>} (or the configured
 * tag) in any message, the content of {@code tool}/{@code function} result messages, and, when configured, any
 * {@code system} or earlier {@code user} message text over N tokens. {@link dev.precis.proxy.ContextBudget} picks
 * the budget: the request header, else the model's context window minus the request's {@code max_tokens} (or
 * {@code max_completion_tokens}), a reserve and everything that is not context, else a global default.
 * {@link dev.precis.proxy.TurnShares} splits it over the context segments, older turns harder: a segment
 * {@code k} user turns back keeps at most the share {@code λ·w^k} of its tokens ({@code w} the older-turn weight,
 * {@code λ} as large as the budget allows), so a segment of the latest turn keeps {@code 1/w} times the share of one
 * a turn older. {@link dev.precis.proxy.ChatCompressor} compresses each segment with the engine to its share and
 * {@link dev.precis.proxy.JsonSplicer} writes the new strings into the original bytes, so everything else in the
 * request stays byte for byte as the client sent it.
 */
package dev.precis.proxy;
