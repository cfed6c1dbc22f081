package dev.precis.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as {@code application/problem+json} with a detail that says what to change. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    return Problem.response(e.status(), e.title(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    return Problem.response(400, "Bad Request", describe(e));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    if (status >= 500) {
      LOG.error("request failed", e);
      return Problem.response(500, "Internal Server Error", "the service failed to answer; try again");
    }
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException json) return json(json);
    String detail = switch (status) {
      case 404 -> "no such resource: see /q/openapi for the API";
      case 405 -> "method not allowed on this path: see /q/openapi for the API";
      case 406 -> "cannot produce the accepted media type: accept application/json";
      case 413 -> "the request body is too large";
      case 415 -> "unsupported content type: send the body as application/json";
      default -> e.getMessage() == null ? "the request was refused" : e.getMessage();
    };
    return Problem.response(status, Response.Status.fromStatusCode(status) == null
        ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase(), detail);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    if (e.getCause() instanceof JsonProcessingException json) return json(json);
    LOG.error("request failed", e);
    return Problem.response(500, "Internal Server Error", "the service failed to answer; try again");
  }

  static String describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      return "unknown field '" + path(u) + "'" + (known.isEmpty() ? "" : ": known fields here are " + known);
    }
    if (e instanceof InvalidFormatException f) {
      return "field '" + path(f) + "' has the wrong value " + f.getValue() + ": expected "
          + typeName(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m) {
      String path = path(m);
      if (path.isEmpty()) return "the body must be a JSON object with documents or context, and budget";
      return "field '" + path + "' has the wrong type: expected " + typeName(m.getTargetType());
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "' is invalid: check its type";
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return "malformed JSON" + where + ": send a valid JSON object";
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
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) return "a number";
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (java.util.List.class.isAssignableFrom(type)) return "an array";
    return "an object";
  }

}
