package io.berth.manifest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Decides whether bytes are a text manifest (UTF-8, no NUL) and decodes them. Pure, thread-safe. */
final class TextCheck {

    private TextCheck() {
    }

    /**
     * The text, or null after recording one "not a text file" error at the first bad byte. Binary
     * data is refused here so the YAML parser never produces a wall of errors about garbage.
     */
    static String decode(Path file, byte[] bytes, List<ManifestError> errors) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        int invalid = result.isError() ? in.position() : -1;
        int nul = indexOf(bytes, (byte) 0, invalid < 0 ? bytes.length : invalid);
        if (nul < 0 && invalid < 0) {
            return out.flip().toString();
        }
        int at = nul >= 0 ? nul : invalid;
        String what = nul >= 0 ? "NUL byte" : "invalid UTF-8";
        String hint = bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)) ? "; it looks like UTF-16, and manifests must be UTF-8" : "";
        errors.add(new ManifestError(position(file, bytes, at), "", "not a text file (" + what + " at byte " + at + hint + ")"));
        return null;
    }

    private static int indexOf(byte[] bytes, byte b, int end) {
        for (int i = 0; i < end; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Line and column of a byte offset; the bytes before it are valid UTF-8, so columns count characters. */
    private static Origin position(Path file, byte[] bytes, int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                column = 1;
            } else if ((bytes[i] & 0xC0) != 0x80) {
                column++;
            }
        }
        return new Origin(file, line, column);
    }
}
