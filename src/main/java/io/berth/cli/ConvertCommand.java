package io.berth.cli;

import io.berth.convert.ComposeConverter;
import io.berth.convert.ComposeConverter.Conversion;
import io.berth.convert.ComposeConverter.Document;
import io.berth.convert.ComposeException;
import io.berth.convert.Finding;
import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent convert -f FILE [-o DIR]}: a Docker Compose file as Berth manifests, on stdout
 * (documents separated by {@code ---}) or one file per manifest in DIR, never overwriting one.
 * Every key that could not be carried, and every warning, goes to stderr as file:line:col; the exit
 * code is 1 if any key was not carried (the manifests are still written). Offline. The manifests are
 * checked with Berth's own loader before anything is printed or written.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Docker Compose file to Berth manifests; name every key that could not be carried (exit 1 if any).")
public class ConvertCommand implements Callable<Integer> {

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The Compose file (docker-compose.yml, compose.yaml).")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Write one manifest per file into DIR (NAME.yaml, network-NAME.yaml) instead of printing them; existing files are never overwritten.")
    Path output;

    @Option(names = {"-p", "--project-name"}, paramLabel = "NAME",
            description = "The Compose project name (default: the file's name: key, else its directory's name); prefixes networks and volumes as Compose does.")
    String project;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Conversion conversion;
        try {
            conversion = ComposeConverter.convert(file, read(file), project);
        } catch (ComposeException e) {
            throw new UserError(e.getMessage());
        }
        checkWithBerth(conversion);
        PrintWriter err = spec.commandLine().getErr();
        conversion.findings().forEach(err::println);
        if (output == null) {
            spec.commandLine().getOut().print(conversion.text());
            spec.commandLine().getOut().flush();
        } else {
            write(conversion.documents());
        }
        long missing = conversion.findings().stream().filter(Finding::notCarried).count();
        err.printf("%d manifest%s%s; %s%n", conversion.documents().size(), conversion.documents().size() == 1 ? "" : "s",
                output == null ? "" : " written to " + output,
                missing == 0 ? "every key carried" : missing + (missing == 1 ? " key" : " keys") + " not carried (see above)");
        err.flush();
        return missing == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > ManifestLoader.MAX_FILE_BYTES) {
                throw new UserError(file + ": file is larger than 4 MiB");
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UserError(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** What convert makes must load as it is; anything else is a bug here, not the user's to fix in the output. */
    private static void checkWithBerth(Conversion conversion) {
        Map<Path, byte[]> texts = new LinkedHashMap<>();
        conversion.documents().forEach(d -> texts.put(Path.of("<converted>", d.fileName()), d.yaml().getBytes(StandardCharsets.UTF_8)));
        ManifestLoader.LoadResult loaded = new ManifestLoader(java.io.InputStream.nullInputStream()).loadTexts(texts);
        if (!loaded.ok()) {
            throw new UserError("the converted manifests do not validate (a bug in agent convert; please report it)",
                    loaded.errors().stream().map(ManifestError::toString).toList());
        }
    }

    private void write(List<Document> documents) {
        List<String> taken = documents.stream().map(d -> output.resolve(d.fileName())).filter(Files::exists).map(Path::toString).toList();
        if (!taken.isEmpty()) {
            throw new UserError("not overwriting " + String.join(", ", taken) + " (convert into an empty directory, or remove them)");
        }
        try {
            Files.createDirectories(output);
            for (Document d : documents) {
                Files.writeString(output.resolve(d.fileName()), d.yaml(), java.nio.file.StandardOpenOption.CREATE_NEW);
            }
        } catch (IOException e) {
            throw new UserError(output + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
