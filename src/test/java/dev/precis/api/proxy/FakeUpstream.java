package dev.precis.api.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A small OpenAI-compatible server on a random loopback port (the JDK's HTTP server): it records every request and
 * answers by the request's {@code model}: {@code status-429} and {@code status-500} answer that status with an
 * OpenAI error body; {@code slow} waits {@link #SLOW_MILLIS} first; {@code "stream": true} sends {@link #CHUNKS}
 * server-sent events {@link #CHUNK_GAP_MILLIS} apart; {@code endless-stream} streams until the client goes away and
 * records that; anything else gets a canned completion. {@code GET /v1/models} lists two models; other paths echo
 * method, path and body length.
 */
public final class FakeUpstream implements AutoCloseable {
  static final int CHUNKS = 5;
  static final long CHUNK_GAP_MILLIS = 300;
  static final long SLOW_MILLIS = 5_000;
  static final String REPLY = "Polonium and radium.";
  static final String RATE_LIMIT_BODY =
      "{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"requests\",\"param\":null,"
          + "\"code\":\"rate_limit_exceeded\"}}";
  static final String SERVER_ERROR_BODY =
      "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,"
          + "\"code\":null}}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile FakeUpstream shared;

  /** What the upstream received. Header names are lower case. */
  public record Received(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("upstream received invalid JSON: " + bodyText(), e);
      }
    }
  }

  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-upstream");
    t.setDaemon(true);
    return t;
  });
  /**
   * Where the one running server's state lives: a system property, because Quarkus loads test classes in more than
   * one class loader (the test profile and the test class each see their own statics) and both must reach the same
   * server. Only JDK types are kept there.
   */
  private static final String STATE = "precis.test.fake-upstream";

  private final HttpServer server;
  private final String baseUrl;
  /** Received requests, each {method, path, query, headers, body}. */
  private final BlockingQueue<Object[]> received;
  /** Chunks an endless stream sent before the client went away; one entry per stream cut. */
  final BlockingQueue<Integer> streamsCut;

  @SuppressWarnings("unchecked")
  private FakeUpstream(Map<String, Object> state, boolean start) throws IOException {
    received = (BlockingQueue<Object[]>) state.get("received");
    streamsCut = (BlockingQueue<Integer>) state.get("cut");
    if (start) {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::handle);
      server.setExecutor(executor);
      server.start();
      state.put("baseUrl", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    } else {
      server = null;
    }
    baseUrl = (String) state.get("baseUrl");
  }

  /** The one server of the test run, started on first use. */
  @SuppressWarnings("unchecked")
  public static synchronized FakeUpstream shared() {
    if (shared == null) {
      synchronized (System.getProperties()) {
        Object existing = System.getProperties().get(STATE);
        try {
          if (existing != null) {
            shared = new FakeUpstream((Map<String, Object>) existing, false);
          } else {
            Map<String, Object> state = new java.util.concurrent.ConcurrentHashMap<>();
            state.put("received", new LinkedBlockingQueue<Object[]>());
            state.put("cut", new LinkedBlockingQueue<Integer>());
            shared = new FakeUpstream(state, true);
            System.getProperties().put(STATE, state);
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return shared;
  }

  /** The OpenAI-style base URL, ending in {@code /v1}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The Anthropic-style base URL: the server's root, to which clients append {@code /v1/messages}. */
  public String rootUrl() {
    return baseUrl.substring(0, baseUrl.length() - "/v1".length());
  }

  /** The oldest request not yet taken, waiting up to 10 s. */
  public Received take() throws InterruptedException {
    Object[] r = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("the upstream received nothing within 10 s");
    return received(r);
  }

  @SuppressWarnings("unchecked")
  private static Received received(Object[] r) {
    return new Received((String) r[0], (String) r[1], (String) r[2], (Map<String, List<String>>) r[3], (byte[]) r[4]);
  }

  public void clear() {
    received.clear();
    streamsCut.clear();
  }

  public int pending() {
    return received.size();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, List<String>> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      String path = exchange.getRequestURI().getPath();
      received.add(new Object[] {exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), headers,
          body});
      if (path.equals("/v1/chat/completions") && exchange.getRequestMethod().equals("POST")) {
        chat(exchange, body);
      } else if (path.equals("/v1/messages") && exchange.getRequestMethod().equals("POST")) {
        anthropic(exchange, body);
      } else if (path.equals("/v1/responses") && exchange.getRequestMethod().equals("POST")) {
        responses(exchange, body);
      } else if (path.equals("/v1/models")) {
        send(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":0,"
            + "\"owned_by\":\"fake\"},{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":0,"
            + "\"owned_by\":\"fake\"}]}");
      } else {
        send(exchange, 200, "{\"method\":\"" + exchange.getRequestMethod() + "\",\"path\":\"" + path
            + "\",\"bytes\":" + body.length + "}");
      }
    }
  }

  private void chat(HttpExchange exchange, byte[] body) throws IOException {
    JsonNode request = JSON.readTree(body);
    String model = request.path("model").asText();
    if (new String(body, StandardCharsets.UTF_8).contains("estimate the minimum number of tokens")) {
      send(exchange, 200, completionWith(model, "Budget: [[123]]")); // TALE-EP's estimation call
      return;
    }
    switch (model) {
      case "status-429" -> {
        exchange.getResponseHeaders().add("Retry-After", "7");
        send(exchange, 429, RATE_LIMIT_BODY);
        return;
      }
      case "status-500" -> {
        send(exchange, 500, SERVER_ERROR_BODY);
        return;
      }
      case "slow" -> sleep(SLOW_MILLIS);
      case "endless-stream" -> {
        endless(exchange);
        return;
      }
      case EXPANDER -> {
        JsonNode last = request.path("messages").path(request.path("messages").size() - 1);
        if (request.path("stream").asBoolean(false)) {
          List<String[]> events = new java.util.ArrayList<>();
          String head = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
              + "\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"delta\":";
          if (last.path("tool_call_id").asText().equals("call_x1")) {
            events.add(new String[] {null, head + "{\"role\":\"assistant\",\"content\":"
                + JSON.writeValueAsString("expanded: " + last.path("content").asText()) + "},\"finish_reason\":null}]}"});
            events.add(new String[] {null, head + "{},\"finish_reason\":\"stop\"}]}"});
          } else {
            events.add(new String[] {null, head + "{\"role\":\"assistant\",\"content\":\"Let me check. \"},"
                + "\"finish_reason\":null}]}"});
            events.add(new String[] {null, head + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_x1\",\"type\":"
                + "\"function\",\"function\":{\"name\":\"precis_expand\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"});
            events.add(new String[] {null, head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                + JSON.writeValueAsString("{\"ref\": \"" + ref(body) + "\"}") + "}}]},\"finish_reason\":null}]}"});
            events.add(new String[] {null, head + "{},\"finish_reason\":\"tool_calls\"}]}"});
          }
          events.add(new String[] {null, "[DONE]"});
          sendEvents(exchange, events);
          return;
        }
        if (last.path("tool_call_id").asText().equals("call_x1")) {
          send(exchange, 200, completionWith(model, "expanded: " + last.path("content").asText()));
        } else {
          send(exchange, 200, "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1700000000,"
              + "\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":null,\"tool_calls\":[{\"id\":\"call_x1\",\"type\":\"function\",\"function\":"
              + "{\"name\":\"precis_expand\",\"arguments\":" + JSON.writeValueAsString("{\"ref\": \"" + ref(body)
              + "\"}") + "}}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":10,"
              + "\"completion_tokens\":5,\"total_tokens\":15}}");
        }
        return;
      }
      default -> { }
    }
    if (request.path("stream").asBoolean(false)) {
      stream(exchange, model);
    } else {
      exchange.getResponseHeaders().add("X-Upstream", "fake");
      send(exchange, 200, completion(model));
    }
  }

  /** The model that calls {@code precis_expand} for the first reference in its request, then echoes the result. */
  static final String EXPANDER = "expander";

  /** The first elision reference in a request body (not the tool description's example), or {@code none}. */
  static String ref(byte[] body) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("ref ([0-9a-f]{8})\\]")
        .matcher(new String(body, StandardCharsets.UTF_8));
    while (m.find()) if (!m.group(1).equals("3f9c01d2")) return m.group(1);
    return "none";
  }

  static String completionWith(String model, String content) throws IOException {
    return "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        + JSON.writeValueAsString(content) + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
  }

  static String completion(String model) {
    return "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + REPLY
        + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,"
        + "\"completion_tokens\":5,\"total_tokens\":15}}";
  }

  /** The i-th event's JSON: one word of the reply per chunk, a finish reason on the last. */
  static String chunk(String model, int i, int of) {
    String[] words = {"Polonium", " and", " radium", ".", ""};
    String content = i < words.length ? words[i] : " more";
    String finish = i == of - 1 ? "\"stop\"" : "null";
    return "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
        + model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
        + "\"finish_reason\":" + finish + "}]}";
  }

  private void stream(HttpExchange exchange, String model) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 0; i < CHUNKS; i++) {
      if (i > 0) sleep(CHUNK_GAP_MILLIS);
      out.write(("data: " + chunk(model, i, CHUNKS) + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Anthropic's Messages API: a message, or its server-sent events (one text delta per word). */
  private void anthropic(HttpExchange exchange, byte[] body) throws IOException {
    JsonNode request = JSON.readTree(body);
    String model = request.path("model").asText();
    if (model.equals("status-429")) {
      send(exchange, 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
          + "\"Number of request tokens has exceeded your per-minute rate limit\"}}");
      return;
    }
    String usage = "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}";
    if (model.equals(EXPANDER) && request.path("stream").asBoolean(false)) {
      JsonNode last = request.path("messages").path(request.path("messages").size() - 1).path("content").path(0);
      List<String[]> events = new java.util.ArrayList<>();
      events.add(new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\","
          + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],"
          + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}"});
      String text = last.path("tool_use_id").asText().equals("toolu_x1")
          ? "expanded: " + last.path("content").asText() : "Let me check. ";
      events.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"});
      events.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":" + JSON.writeValueAsString(text) + "}}"});
      events.add(new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});
      boolean calls = !last.path("tool_use_id").asText().equals("toolu_x1");
      if (calls) {
        events.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
            + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_x1\",\"name\":\"precis_expand\",\"input\":{}}}"});
        events.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + JSON.writeValueAsString("{\"ref\": \""
            + ref(body) + "\"}") + "}}"});
        events.add(new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"});
      }
      events.add(new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
          + (calls ? "tool_use" : "end_turn") + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}"});
      events.add(new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
      sendEvents(exchange, events);
      return;
    }
    if (model.equals(EXPANDER)) {
      JsonNode last = request.path("messages").path(request.path("messages").size() - 1).path("content").path(0);
      String content = last.path("tool_use_id").asText().equals("toolu_x1")
          ? "{\"type\":\"text\",\"text\":" + JSON.writeValueAsString("expanded: " + last.path("content").asText()) + "}"
          : "{\"type\":\"tool_use\",\"id\":\"toolu_x1\",\"name\":\"precis_expand\",\"input\":{\"ref\":\""
              + ref(body) + "\"}}";
      send(exchange, 200, "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
          + model + "\",\"content\":[" + content + "],\"stop_reason\":\"" + (content.contains("tool_use")
          ? "tool_use" : "end_turn") + "\",\"stop_sequence\":null," + usage + "}");
      return;
    }
    if (!request.path("stream").asBoolean(false)) {
      send(exchange, 200, "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
          + model + "\",\"content\":[{\"type\":\"text\",\"text\":\"" + REPLY + "\"}],\"stop_reason\":"
          + "\"end_turn\",\"stop_sequence\":null," + usage + "}");
      return;
    }
    List<String[]> events = new java.util.ArrayList<>();
    events.add(new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],"
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}"});
    events.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"});
    for (String word : WORDS) {
      events.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + word + "\"}}"});
    }
    events.add(new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});
    events.add(new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}"});
    events.add(new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
    sendEvents(exchange, events);
  }

  /** OpenAI's Responses API: a response, or its server-sent events (one text delta per word). */
  private void responses(HttpExchange exchange, byte[] body) throws IOException {
    JsonNode request = JSON.readTree(body);
    String model = request.path("model").asText();
    if (model.equals(EXPANDER) && request.path("stream").asBoolean(false)) {
      JsonNode last = request.path("input").path(request.path("input").size() - 1);
      List<String[]> events = new java.util.ArrayList<>();
      int seq = 0;
      events.add(new String[] {"response.created", "{\"type\":\"response.created\",\"sequence_number\":" + seq++
          + ",\"response\":" + response(model, "in_progress", null) + "}"});
      if (last.path("call_id").asText().equals("call_x1")) {
        String text = "expanded: " + last.path("output").asText();
        events.add(new String[] {"response.output_item.added", "{\"type\":\"response.output_item.added\","
            + "\"sequence_number\":" + seq++ + ",\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_fake\","
            + "\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}"});
        events.add(new String[] {"response.output_text.delta", "{\"type\":\"response.output_text.delta\","
            + "\"sequence_number\":" + seq++ + ",\"item_id\":\"msg_fake\",\"output_index\":0,\"content_index\":0,"
            + "\"delta\":" + JSON.writeValueAsString(text) + ",\"logprobs\":[]}"});
        events.add(new String[] {"response.completed", "{\"type\":\"response.completed\",\"sequence_number\":"
            + seq + ",\"response\":" + response(model, "completed", null) + "}"});
      } else {
        String args = JSON.writeValueAsString("{\"ref\": \"" + ref(body) + "\"}");
        events.add(new String[] {"response.output_item.added", "{\"type\":\"response.output_item.added\","
            + "\"sequence_number\":" + seq++ + ",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":"
            + "\"fc_x1\",\"call_id\":\"call_x1\",\"name\":\"precis_expand\",\"arguments\":\"\",\"status\":\"in_progress\"}}"});
        events.add(new String[] {"response.function_call_arguments.done", "{\"type\":"
            + "\"response.function_call_arguments.done\",\"sequence_number\":" + seq++ + ",\"item_id\":\"fc_x1\","
            + "\"output_index\":0,\"arguments\":" + args + "}"});
        events.add(new String[] {"response.completed", "{\"type\":\"response.completed\",\"sequence_number\":"
            + seq + ",\"response\":" + response(model, "completed", null) + "}"});
      }
      sendEvents(exchange, events);
      return;
    }
    if (model.equals(EXPANDER)) {
      JsonNode last = request.path("input").path(request.path("input").size() - 1);
      if (last.path("call_id").asText().equals("call_x1")) {
        send(exchange, 200, response(model, "completed", null).replace("\"output\":[]", "\"output\":[{\"type\":"
            + "\"message\",\"id\":\"msg_fake\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":"
            + "\"output_text\",\"text\":" + JSON.writeValueAsString("expanded: " + last.path("output").asText())
            + ",\"annotations\":[],\"logprobs\":[]}]}]"));
      } else {
        send(exchange, 200, response(model, "completed", null).replace("\"output\":[]", "\"output\":[{\"type\":"
            + "\"function_call\",\"id\":\"fc_x1\",\"call_id\":\"call_x1\",\"name\":\"precis_expand\",\"arguments\":"
            + JSON.writeValueAsString("{\"ref\": \"" + ref(body) + "\"}") + ",\"status\":\"completed\"}]"));
      }
      return;
    }
    if (!request.path("stream").asBoolean(false)) {
      send(exchange, 200, response(model, "completed", REPLY));
      return;
    }
    List<String[]> events = new java.util.ArrayList<>();
    int seq = 0;
    events.add(new String[] {"response.created", "{\"type\":\"response.created\",\"sequence_number\":" + seq++
        + ",\"response\":" + response(model, "in_progress", null) + "}"});
    for (String word : WORDS) {
      events.add(new String[] {"response.output_text.delta", "{\"type\":\"response.output_text.delta\","
          + "\"sequence_number\":" + seq++ + ",\"item_id\":\"msg_fake\",\"output_index\":0,\"content_index\":0,"
          + "\"delta\":\"" + word + "\",\"logprobs\":[]}"});
    }
    events.add(new String[] {"response.completed", "{\"type\":\"response.completed\",\"sequence_number\":" + seq
        + ",\"response\":" + response(model, "completed", REPLY) + "}"});
    sendEvents(exchange, events);
  }

  private static final String[] WORDS = {"Polonium", " and", " radium", "."};

  static String response(String model, String status, String text) {
    String output = text == null ? "[]" : "[{\"type\":\"message\",\"id\":\"msg_fake\",\"status\":\"completed\","
        + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"" + text
        + "\",\"annotations\":[],\"logprobs\":[]}]}]";
    return "{\"id\":\"resp_fake\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"" + status
        + "\",\"model\":\"" + model + "\",\"output\":" + output + ",\"parallel_tool_calls\":true,\"tool_choice\":"
        + "\"auto\",\"tools\":[],\"temperature\":1.0,\"top_p\":1.0,\"error\":null,\"incomplete_details\":null,"
        + "\"instructions\":null,\"metadata\":{},\"usage\":{\"input_tokens\":10,\"output_tokens\":5,"
        + "\"total_tokens\":15,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens_details\":"
        + "{\"reasoning_tokens\":0}}}";
  }

  /** Named server-sent events, {@link #CHUNK_GAP_MILLIS} apart. */
  private static void sendEvents(HttpExchange exchange, List<String[]> events) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) sleep(CHUNK_GAP_MILLIS / 3);
      out.write(((events.get(i)[0] == null ? "" : "event: " + events.get(i)[0] + "\n") + "data: " + events.get(i)[1]
          + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private void endless(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    int sent = 0;
    try {
      for (int i = 0; i < 600; i++) { // 60 s at most
        out.write(("data: " + chunk("endless-stream", 99, 1000) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        sent++;
        sleep(100);
      }
    } catch (IOException e) {
      streamsCut.add(sent);
      throw e;
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (server != null) server.stop(0);
    executor.shutdownNow();
  }
}
