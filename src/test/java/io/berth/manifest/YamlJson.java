package io.berth.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML documents as the JSON an editor's schema check sees: plain scalars typed by YAML 1.2's core
 * schema (what yaml-language-server uses: {@code no} is a string, {@code 1:30} is a string,
 * {@code 80} an integer), quoted scalars always strings, aliases expanded. YAML that has no JSON
 * form (syntax errors, non-string keys, duplicate keys) throws {@link NotJson}: the YAML layer's
 * mistakes, reported by any YAML parser before a schema is consulted.
 */
final class YamlJson {

    /** The text is not YAML that maps onto JSON. */
    static final class NotJson extends RuntimeException {
        NotJson(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCT = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

    private YamlJson() {
    }

    /** Every non-empty document of the text, in order. */
    static List<JsonNode> documents(String text) {
        List<JsonNode> out = new ArrayList<>();
        try {
            var options = ManifestParser.options();
            Composer composer = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options);
            while (composer.checkNode()) {
                Node root = composer.getNode();
                if (!NodeReader.isNull(root)) {
                    out.add(convert(root));
                }
            }
        } catch (NotJson e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NotJson("not YAML: " + e.getMessage(), e);
        }
        return out;
    }

    private static JsonNode convert(Node node) {
        if (node instanceof MappingNode m) {
            ObjectNode o = F.objectNode();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    throw new NotJson("a mapping key that is not a string", null);
                }
                if (o.has(key.getValue())) {
                    throw new NotJson("duplicate key " + key.getValue(), null);
                }
                o.set(key.getValue(), convert(t.getValueNode()));
            }
            return o;
        }
        if (node instanceof SequenceNode s) {
            ArrayNode a = F.arrayNode();
            s.getValue().forEach(n -> a.add(convert(n)));
            return a;
        }
        ScalarNode s = (ScalarNode) node;
        String v = s.getValue();
        if (s.getScalarStyle() != ScalarStyle.PLAIN) {
            return F.textNode(v);
        }
        if (NULL.matcher(v).matches()) {
            return F.nullNode();
        }
        if (BOOL.matcher(v).matches()) {
            return F.booleanNode(v.equalsIgnoreCase("true"));
        }
        if (INT.matcher(v).matches()) {
            return F.numberNode(new BigInteger(v));
        }
        if (OCT.matcher(v).matches() || HEX.matcher(v).matches()) {
            return F.numberNode(new BigInteger(v.substring(2), v.charAt(1) == 'o' ? 8 : 16));
        }
        if (FLOAT.matcher(v).matches()) {
            return F.numberNode(new BigDecimal(v));
        }
        return F.textNode(v);
    }
}
