package dev.precis.engine;

/**
 * A text that exercises what the prose segmenter decides (headings, paragraphs, lists, a code block, a table,
 * abbreviations, decimals, quotes, a link, a sentence longer than any unit limit): what the segmenter makes of it is
 * part of {@link PrecisEngine#segmenterFingerprint}, so that a change in segmenting shows in the fingerprint and kept
 * trees of the old segmenter are ignored.
 */
final class SegmenterCanary {
  static final String TEXT = """
      # Maintenance guide

      Dr. Smith and Mrs. Jones wrote this guide in the U.S. in 2019. It covers v2.4.1 of the tool, e.g. the \
      installer, i.e. everything shipped. Prices rose 3.5% (from $10.50 to $10.87)! Did they? "Yes," she said. \
      See https://example.org/docs/guide.html for more.

      ## Steps

      1. Stop the service.
      2. Run the backup; it takes about 12 min.
      - Check the log.
      - Restart.

      ```sh
      systemctl stop app
      tar czf backup.tgz /var/lib/app
      ```

      | setting | default |
      |---|---|
      | timeout | 30 s |
      | retries | 3 |

      ### Notes
      Short line.
      Another short line without a full stop
      """ + "A very long sentence that goes on" + " and on, listing parts of the system one after another".repeat(40)
      + ".\n\nThe end. 日本語の文。 Это предложение. Fin.\n";

  private SegmenterCanary() {}
}
