package dev.precis.proxy;

import java.util.OptionalInt;

/**
 * How many tokens all context of one request may take, and where the number came from.
 *
 * <p>In order: the request header; the model's context window (from the table) minus the completion allowance
 * ({@code max_completion_tokens} or {@code max_tokens}), the reserve and the tokens of everything that is not
 * context; the global default. Example: window 8192, {@code max_tokens} 1000, reserve 1024, 600 tokens of other
 * messages give 5568 tokens of context.
 */
public record ContextBudget(int tokens, Source source) {
  public ContextBudget {
    if (tokens < 0) throw new IllegalArgumentException("illegal budget: " + tokens + ", must be >= 0");
  }

  public enum Source {
    HEADER, CONTEXT_WINDOW, DEFAULT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  public static ContextBudget resolve(Integer headerTokens, String model, Integer completionTokens,
      int otherPromptTokens, ProxySettings settings) {
    if (headerTokens != null) return new ContextBudget(headerTokens, Source.HEADER);
    OptionalInt window = settings.contextWindows().forModel(model);
    if (window.isPresent()) {
      long left = (long) window.getAsInt() - (completionTokens == null ? 0 : completionTokens)
          - settings.reserveTokens() - otherPromptTokens;
      return new ContextBudget((int) Math.max(0, left), Source.CONTEXT_WINDOW);
    }
    return new ContextBudget(settings.defaultContextTokens(), Source.DEFAULT);
  }
}
