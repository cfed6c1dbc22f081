package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ElisionStoreTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void aReferenceIsReadableOnlyByItsTenant() {
    ElisionStore store = new ElisionStore(10, 1000, Duration.ofMinutes(5), now::get);
    String a = ElisionStore.tenant("Bearer sk-a");
    assertEquals(a, ElisionStore.tenant("sk-a"), "the Bearer prefix is not part of the key");
    String ref = store.put(a, "a long tool output", "why?");
    assertEquals(ElisionStore.ref("a long tool output"), ref);
    assertTrue(ElisionStore.isRef(ref), ref);
    assertEquals("a long tool output", store.get(a, ref).orElseThrow().text());
    assertEquals("why?", store.get(a, ref).orElseThrow().query());
    assertFalse(store.get(ElisionStore.tenant("sk-b"), ref).isPresent());
    assertFalse(store.get(ElisionStore.tenant(null), ref).isPresent(), "no key is a tenant of its own");
    assertNotEquals(ElisionStore.ref("a"), ElisionStore.ref("b"));
  }

  @Test
  void boundedByEntriesCharactersAndAge() {
    ElisionStore store = new ElisionStore(3, 25, Duration.ofSeconds(60), now::get);
    String t = ElisionStore.tenant("k");
    String r1 = store.put(t, "0123456789", null);
    String r2 = store.put(t, "abcdefghij", null);
    store.get(t, r1); // r1 used last: r2 goes first
    String r3 = store.put(t, "ABCDEFGHIJ", null);
    assertEquals(2, store.size(), "30 characters over 25: the least recently used went");
    assertFalse(store.get(t, r2).isPresent());
    assertTrue(store.get(t, r1).isPresent() && store.get(t, r3).isPresent());
    store.put(t, "x", null);
    store.put(t, "y", null);
    assertEquals(3, store.size(), "at most 3 entries");
    assertTrue(store.chars() <= 25);
    String fresh = store.put(t, "z", null);
    now.addAndGet(61_000);
    assertFalse(store.get(t, fresh).isPresent(), "expired after the time to live");
    assertEquals(ElisionStore.ref("too long for the store, by far, really"),
        store.put(t, "too long for the store, by far, really", null), "a text longer than the store gets a ref...");
    assertFalse(store.get(t, ElisionStore.ref("too long for the store, by far, really")).isPresent(),
        "...but is not kept");
    assertThrows(IllegalArgumentException.class, () -> new ElisionStore(0, 1, Duration.ofSeconds(1)));
  }
}
