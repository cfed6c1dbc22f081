package dev.precis.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as {@code application/problem+json} with a detail that says what to change. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  private final BodyLimitFilter bodyLimit;

  public ProblemMappers(BodyLimitFilter bodyLimit) {
    this.bodyLimit = bodyLimit;
  }

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    Response problem = Problem.response(e.status(), e.title(), e.getMessage());
    if (e.retryAfterSeconds() <= 0) return problem;
    return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds()).build();
  }

  /**
   * Wrong JSON types (an array for the body, a string for a number). Mapped here explicitly: Quarkus has a built-in
   * mapper for exactly this type, which would otherwise win over {@link #json} and answer 400 without a body.
   */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    return Problem.response(400, "Bad Request", describe(e));
  }

  /** The methods each path of the API answers, for 405 details and the Allow header. */
  private static final Map<String, String> ALLOWED = Map.of(
      "/v1/compress", "POST",
      "/v1/encodings", "GET");

  @ServerExceptionMapper
  public Response web(WebApplicationException e, HttpServerRequest request) {
    Response original = e.getResponse();
    int status = original.getStatus();
    if (status >= 500) {
      LOG.error("request failed", e);
      return Problem.response(500, "Internal Server Error", "the service failed to answer; try again");
    }
    JsonProcessingException json = jsonCause(e);
    if (json != null) return json(json);
    String path = request.path();
    String allow = path == null ? null : ALLOWED.get(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    String detail = switch (status) {
      case 400 -> "the request could not be read: send a JSON object with documents or context, and budget";
      case 404 -> "no such resource: the API is POST /v1/compress and GET /v1/encodings; see /q/openapi";
      case 405 -> allow != null
          ? request.method() + " is not allowed on " + path + ": use " + allow
          : "method not allowed on this path: use POST for /v1/compress and GET for /v1/encodings; see /q/openapi";
      case 406 -> "cannot produce the accepted media type: accept application/json";
      case 413 -> "the request body is too large: " + bodyLimit.limitDetail();
      case 415 -> "unsupported content type: send the body as application/json";
      default -> "the request was refused with status " + status;
    };
    Response problem = Problem.response(status, Response.Status.fromStatusCode(status) == null
        ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase(), detail);
    if (status == 405 && allow != null) { // RFC 9110: a 405 lists the methods the resource supports
      return Response.fromResponse(problem).header(HttpHeaders.ALLOW, allow).build();
    }
    return problem;
  }

  /**
   * A body that stopped arriving, or a chunked body over the limit. In the second case Quarkus REST has already
   * answered 413 (without a body) and closed the connection; nothing more can be written.
   */
  @ServerExceptionMapper
  public Response io(IOException e, HttpServerResponse response) {
    JsonProcessingException json = jsonCause(e);
    if (json != null) return json(json);
    if (response.ended() || response.headWritten()) {
      LOG.debugf("request refused while its body was read: %s", e.getMessage());
      return null;
    }
    if ("Request too large".equals(e.getMessage())) {
      return Problem.response(413, "Content Too Large", "the request body is too large: " + bodyLimit.limitDetail());
    }
    LOG.debug("request body could not be read", e);
    return Problem.response(400, "Bad Request", "the request body could not be read completely: send it again");
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    JsonProcessingException json = jsonCause(e);
    if (json != null) return json(json);
    LOG.error("request failed", e);
    return Problem.response(500, "Internal Server Error", "the service failed to answer; try again");
  }

  /** Anything else (an {@link Error} such as a stack overflow): a 500 problem, never a stack trace. */
  @ServerExceptionMapper
  public Response failure(Throwable e) {
    LOG.error("request failed", e);
    return Problem.response(500, "Internal Server Error", "the service failed to answer; try again");
  }

  private static JsonProcessingException jsonCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof JsonProcessingException json) return json;
    }
    return null;
  }

  /** A sentence for the caller that names the offending field and says what to send instead. */
  static String describe(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StreamConstraintsException) {
        return "the JSON has a value that is too long or nested too deeply: send plain strings, numbers of at most "
            + "a few digits and at most a few levels of nesting";
      }
    }
    StreamReadException syntax = syntaxCause(e);
    if (syntax instanceof InputCoercionException c) {
      return "field '" + fieldPath(e, c) + "' is out of range: expected " + typeName(c.getTargetType());
    }
    if (syntax != null) return malformed(e, syntax);
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      return "unknown field '" + path(u) + "'" + (known.isEmpty() ? "" : ": known fields here are " + known);
    }
    if (e instanceof InvalidFormatException f) {
      return "field '" + path(f) + "' has the wrong value " + quoted(f.getValue()) + ": expected "
          + typeName(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m) {
      String path = path(m);
      if (path.isEmpty()) {
        return "the body must be a JSON object with documents or context, and budget; it is not an object";
      }
      return "field '" + path + "' has the wrong type: expected " + typeName(m.getTargetType());
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "' is invalid: check its type";
    }
    return "malformed JSON" + where(e.getLocation()) + ": send a valid JSON object";
  }

  private static StreamReadException syntaxCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StreamReadException s) return s;
    }
    return null;
  }

  private static String malformed(JsonProcessingException e, StreamReadException syntax) {
    String field = fieldPath(e, syntax);
    String in = field.isEmpty() ? "" : " near field '" + field + "'";
    String at = where(syntax.getLocation());
    if (syntax instanceof JsonEOFException) {
      return "malformed JSON: the body ends" + in + " before the JSON is complete; close every string, array and "
          + "object";
    }
    String message = syntax.getOriginalMessage() == null ? "" : syntax.getOriginalMessage();
    if (message.startsWith("Non-standard token")) {
      return (field.isEmpty() ? "a number" : "field '" + field + "'") + " is NaN or Infinity, which JSON does not "
          + "allow: send a finite number" + ("budget.ratio".equals(field) ? " >= 1" : "");
    }
    String reason = readable(message);
    return "malformed JSON" + in + at + (reason.isEmpty() ? "" : " (" + reason + ")") + ": send a valid JSON object";
  }

  /** Jackson's own sentence when it says something useful and names no Java type or feature; else empty. */
  private static String readable(String message) {
    int end = message.indexOf('\n');
    String first = end < 0 ? message : message.substring(0, end);
    int marker = first.indexOf(" (start marker");
    if (marker >= 0) first = first.substring(0, marker);
    if (first.contains("`") || first.contains("Source:") || first.contains("java.") || first.length() > 200) {
      return "";
    }
    return first.isEmpty() ? "" : Character.toLowerCase(first.charAt(0)) + first.substring(1);
  }

  /** The field being read: from the mapping path, else from where the parser stood. */
  private static String fieldPath(JsonProcessingException e, StreamReadException syntax) {
    String parsed = parserPath(syntax.getProcessor());
    if (!parsed.isEmpty()) return parsed;
    return e instanceof JsonMappingException m ? path(m) : "";
  }

  private static String parserPath(JsonParser parser) {
    if (parser == null) return "";
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) parts.addFirst("." + c.getCurrentName());
      else if (c.inArray() && c.getCurrentIndex() >= 0) parts.addFirst("[" + c.getCurrentIndex() + "]");
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }

  private static String where(JsonLocation at) {
    return at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  private static String quoted(Object value) {
    String shown = RequestMapper.shown(String.valueOf(value));
    return value instanceof String ? "'" + shown + "'" : shown;
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!out.isEmpty()) out.append('.');
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String typeName(Class<?> type) {
    if (type == null) return "another type";
    if (type == String.class) return "a string";
    if (type == Integer.class || type == int.class) return "an integer from 1 to " + Integer.MAX_VALUE;
    if (type == Long.class || type == long.class) return "an integer";
    if (type == Double.class || type == double.class) return "a number";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (java.util.List.class.isAssignableFrom(type)) return "an array";
    if (type.isRecord() || !type.getName().startsWith("java.")) return "an object";
    return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
  }
}
