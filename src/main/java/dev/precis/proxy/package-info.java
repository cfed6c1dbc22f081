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
 *
 * <p>The reasoning budget ({@code docs/reasoning-budget.md}): {@link dev.precis.proxy.ReasoningBudget} parses the
 * {@code X-Precis-Reasoning-Budget} header and writes a number of output tokens into the request, through the API's
 * own parameter ({@code max_completion_tokens}, {@code reasoning_effort}, {@code max_output_tokens},
 * {@code thinking.budget_tokens}, {@code max_tokens}, set in the original bytes by {@code JsonFields}) or as
 * TALE-EP's instruction in the last user text. The number comes from the header, from
 * {@link dev.precis.proxy.OutputEstimator} (a log-linear regression on the question's text, fitted offline on FAQ
 * answers) or from the model itself, asked first with {@link dev.precis.proxy.TaleEstimate}.
 */
package dev.precis.proxy;
