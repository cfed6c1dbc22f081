/**
 * The target model's tokenizers (jtokkit): exact counts, token-boundary cuts, and model names mapped to encodings.
 */
package dev.precis.tokens;
