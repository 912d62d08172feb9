package io.berth.manifest;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Parses the text of one manifest file (one or more YAML documents) into validated, normalised
 * {@link Workload}s and every {@link ManifestError} found. All errors of the file are collected, not
 * just the first; a document with any error yields no workload; empty documents are skipped.
 *
 * <p>YAML is composed into SnakeYAML's node graph (never constructed into objects, so no tags run
 * code) and walked by hand so each error keeps its line and column. Hostile input is bounded: at
 * most {@value #MAX_ALIASES} aliases to collections per file, {@value #MAX_DEPTH} levels of nesting,
 * {@value #MAX_NODES} nodes per document once aliases are expanded, and {@value #MAX_CODE_POINTS}
 * characters per document; each limit is reported as an error, never as a hang or an exception.
 *
 * <p>Stateless and thread-safe; parsing the same text twice gives equal results.
 */
public final class ManifestParser {

    public static final String API_VERSION = "berth.io/v1";
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 50;
    static final int MAX_NODES = 100_000;
    static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

    /** The workloads and networks of a file (only from documents without errors) and all errors, in position order. */
    public record ParseResult(List<Workload> workloads, List<NetworkManifest> networks, List<ManifestError> errors) {
        public ParseResult {
            workloads = List.copyOf(workloads);
            networks = List.copyOf(networks);
            errors = List.copyOf(errors);
        }

        public ParseResult(List<Workload> workloads, List<ManifestError> errors) {
            this(workloads, List.of(), errors);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** A workload or a network (the other null) and where its name is written, so cross-file checks can point at the name. */
    record Parsed(Workload workload, NetworkManifest network, Origin nameOrigin) {
        Parsed(Workload workload, Origin nameOrigin) {
            this(workload, null, nameOrigin);
        }
    }

    private final HostPolicy images;

    /** A parser that checks VM image paths against the given policy. Stateless otherwise; thread-safe. */
    public ManifestParser(HostPolicy images) {
        this.images = images;
    }

    public ParseResult parse(Path file, String text) {
        List<ManifestError> errors = new ArrayList<>();
        List<Parsed> parsed = parseDocuments(file, text, errors);
        errors.sort(ManifestError.BY_POSITION);
        return new ParseResult(parsed.stream().map(Parsed::workload).filter(java.util.Objects::nonNull).toList(),
                parsed.stream().map(Parsed::network).filter(java.util.Objects::nonNull).toList(), errors);
    }

    List<Parsed> parseDocuments(Path file, String text, List<ManifestError> errors) {
        NodeReader reader = new NodeReader(file, errors);
        DocumentParser documents = new DocumentParser(reader, images);
        List<Parsed> out = new ArrayList<>();
        LoaderOptions options = options();
        ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(text)), options);
        Composer composer = new Composer(parser, new Resolver(), options);
        while (true) {
            Node root = nextDocument(composer, parser, file, text, errors);
            if (root == null) {
                break; // the end, or YAML too broken to go on: later documents cannot be found reliably
            }
            if (NodeReader.isNull(root)) {
                continue; // an empty document ("---" alone, or only comments)
            }
            String tooBig = checkSize(root);
            if (tooBig != null) {
                reader.error(root, "", tooBig);
                continue;
            }
            Parsed p = documents.parse(root);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The next document's root node; null at the end or after recording why the YAML cannot be read. */
    private static Node nextDocument(Composer composer, ParserImpl parser, Path file, String text, List<ManifestError> errors) {
        try {
            return composer.checkNode() ? composer.getNode() : null;
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            errors.add(new ManifestError(at(file, mark), "", syntaxMessage(e)));
        } catch (ReaderException e) {
            errors.add(new ManifestError(position(file, text, e.getPosition()), "",
                    String.format("character U+%04X is not allowed in YAML (%s)", e.getCodePoint(), e.getMessage())));
        } catch (YAMLException e) {
            errors.add(new ManifestError(at(file, nextMark(parser)), "", limitMessage(e.getMessage())));
        } catch (RuntimeException e) {
            // SnakeYAML should only throw YAMLException; anything else still must not reach the user as a stack trace.
            errors.add(new ManifestError(at(file, nextMark(parser)), "", "YAML could not be read (" + e + ")"));
        }
        return null;
    }

    static LoaderOptions options() {
        LoaderOptions o = new LoaderOptions();
        o.setMaxAliasesForCollections(MAX_ALIASES);
        o.setNestingDepthLimit(MAX_DEPTH);
        o.setCodePointLimit(MAX_CODE_POINTS);
        o.setAllowRecursiveKeys(false);
        o.setMergeOnCompose(false);
        o.setProcessComments(false);
        return o;
    }

    /**
     * Counts the document's nodes as a walk would see them, aliases expanded, stopping at the
     * budget. Aliases make the composed graph a DAG (or a cycle, for a self-referencing list), so a
     * few kilobytes can stand for billions of nodes; this pass is iterative and bounded.
     */
    private static String checkSize(Node root) {
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        int seen = 0;
        boolean anchors = false;
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            anchors |= n.getAnchor() != null;
            if (++seen > MAX_NODES) {
                return anchors
                        ? "YAML aliases expand too far (more than " + MAX_NODES + " nodes once aliases are expanded)"
                        : "document is too large (more than " + MAX_NODES + " YAML nodes)";
            }
            if (n instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    todo.push(t.getKeyNode());
                    todo.push(t.getValueNode());
                }
            } else if (n instanceof SequenceNode s) {
                s.getValue().forEach(todo::push);
            }
        }
        return null;
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem().strip();
        if (e.getContext() == null) {
            return problem;
        }
        Mark c = e.getContextMark();
        String where = c == null ? "" : " started at line " + (c.getLine() + 1) + ", column " + (c.getColumn() + 1);
        return problem + " (" + e.getContext().strip() + where + ")";
    }

    /** SnakeYAML reports its limits as unmarked exceptions; say which limit and why it exists. */
    private static String limitMessage(String message) {
        String m = message == null ? "" : message;
        if (m.startsWith("Number of aliases")) {
            return "YAML aliases expand too far (more than " + MAX_ALIASES + " aliases to lists or mappings in one file)";
        }
        if (m.startsWith("Nesting Depth")) {
            return "YAML is nested too deeply (more than " + MAX_DEPTH + " levels)";
        }
        if (m.contains("exceeds the limit")) {
            return "document is too large (more than " + MAX_CODE_POINTS + " characters)";
        }
        return "invalid YAML: " + m.strip();
    }

    /** Where the composer stopped: the next event's start, if the parser can still tell. */
    private static Mark nextMark(ParserImpl parser) {
        try {
            return parser.peekEvent().getStartMark();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Origin at(Path file, Mark mark) {
        return mark == null ? Origin.unknown(file) : new Origin(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Line and column (1-based, in code points, as SnakeYAML counts) of a code-point index. */
    static Origin position(Path file, String text, int codePointIndex) {
        int line = 1;
        int column = 1;
        int cp = 0;
        for (int i = 0; i < text.length() && cp < codePointIndex; i += Character.charCount(text.codePointAt(i)), cp++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Origin(file, line, column);
    }
}
