package dev.precis.bench;

import dev.precis.quality.EvalExample;

/**
 * Makes fresh instances of a benchmark {@link Method}. The benchmark opens one instance for the warm-up and a new one
 * for every measured setting, so a method that keeps state between calls (an engine's vector cache) never serves a
 * measured call from what the warm-up or an earlier setting left behind.
 */
@FunctionalInterface
public interface MethodFactory {

  /** A new instance, to be closed when done. */
  Instance open();

  /** One instance of a method, holding whatever resources it needs until closed. */
  interface Instance extends Method, AutoCloseable {
    @Override
    void close();
  }

  /** A factory for a method without state or resources: every instance is the method itself. */
  static MethodFactory stateless(Method method) {
    return () -> new Instance() {
      @Override
      public String compress(EvalExample example, int budgetTokens) {
        return method.compress(example, budgetTokens);
      }

      @Override
      public void close() {}
    };
  }
}
