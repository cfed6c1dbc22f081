package dev.precis.api;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The test corpus: four short biographies, a question whose answer is one sentence of the second, and token
 * counting done here with jtokkit, independently of the service.
 */
final class Scientists {
  static final String QUESTION = "Which elements did Marie Curie discover?";
  static final String ANSWER =
      "In 1911 she won the Nobel Prize in Chemistry for her discovery of the elements polonium and radium.";
  /** A sentence of little relevance to the question, and a literal only it holds. */
  static final String INITIALS_SENTENCE = "Her notes on the engine were signed only with her initials, A.A.L.";
  static final String INITIALS = "A.A.L.";
  static final String PHOTO_SENTENCE = "Photo 51, an X-ray diffraction image taken in her laboratory in 1952, was key "
      + "evidence for the double helix.";

  record Doc(String id, String title, String text) {}

  static final List<Doc> DOCS = List.of(
      new Doc("lovelace", "Ada Lovelace", "Ada Lovelace was an English mathematician and writer, chiefly known for her "
          + "work on Charles Babbage's proposed mechanical general-purpose computer, the Analytical Engine. She was "
          + "the first to recognise that the machine had applications beyond pure calculation. In 1843 she published "
          + "what is often regarded as the first algorithm intended to be carried out by such a machine. "
          + INITIALS_SENTENCE),
      new Doc("curie", "Marie Curie", "Marie Curie was a Polish and naturalised-French physicist and chemist who "
          + "conducted pioneering research on radioactivity. She was the first woman to win a Nobel Prize and the "
          + "only person to win Nobel Prizes in two scientific fields. She shared the 1903 Nobel Prize in Physics "
          + "with her husband Pierre Curie and with Henri Becquerel. " + ANSWER + " During the First World War she "
          + "developed mobile radiography units to provide X-ray services to field hospitals."),
      new Doc("turing", "Alan Turing", "Alan Turing was an English mathematician, computer scientist and logician. He "
          + "formalised the concepts of algorithm and computation with the Turing machine, a model of a "
          + "general-purpose computer. During the Second World War he worked at Bletchley Park, where he devised "
          + "techniques for breaking German ciphers, including improvements to the Polish bombe method. After the "
          + "war he designed the Automatic Computing Engine, one of the first designs for a stored-program "
          + "computer."),
      new Doc("franklin", "Rosalind Franklin", "Rosalind Franklin was an English chemist and X-ray crystallographer. "
          + "Her work was central to the understanding of the molecular structures of DNA, RNA, viruses, coal and "
          + "graphite. " + PHOTO_SENTENCE + " She later led pioneering work on the structure of the tobacco mosaic "
          + "virus at Birkbeck College in London."));

  /** The documents as the request's {@code documents} array. */
  static List<Map<String, Object>> documents() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Doc d : DOCS) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id());
      m.put("title", d.title());
      m.put("text", d.text());
      out.add(m);
    }
    return out;
  }

  /** The documents as one plain text, for the {@code context} form of a request. */
  static String context() {
    return DOCS.stream().map(Doc::text).collect(Collectors.joining("\n\n"));
  }

  /** Every document as the service renders one kept whole: its title line, then its text; blank lines between. */
  static String rendered() {
    return DOCS.stream().map(d -> d.title() + "\n" + d.text()).collect(Collectors.joining("\n\n"));
  }

  private static final EncodingRegistry REGISTRY = Encodings.newDefaultEncodingRegistry();

  static int cl100k(String text) {
    return count(EncodingType.CL100K_BASE, text);
  }

  static int o200k(String text) {
    return count(EncodingType.O200K_BASE, text);
  }

  private static int count(EncodingType type, String text) {
    Encoding encoding = REGISTRY.getEncoding(type);
    return encoding.countTokensOrdinary(text);
  }

  private Scientists() {}
}
