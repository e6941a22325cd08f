package io.deepserve.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code scripts/export_pretrained.py} with random weights (nothing can be downloaded here): {@code weights}
 * for deepserve's import and {@code reference}, a fixed input with torchvision's logits for it.
 */
public record TorchvisionExport(Path weights, Path reference) {

	/** Debian's python3-torch, not whatever python3 comes first on the PATH. */
	private static final String PYTHON = "/usr/bin/python3";

	public static TorchvisionExport random(String architecture, int classes, int imageSize, Path dir)
			throws IOException, InterruptedException {
		return random(architecture, classes, imageSize, dir, List.of());
	}

	/** @param options more arguments for the script, e.g. {@code --growth-rate 12} */
	public static TorchvisionExport random(String architecture, int classes, int imageSize, Path dir,
			List<String> options) throws IOException, InterruptedException {
		Files.createDirectories(dir);
		TorchvisionExport export = new TorchvisionExport(dir.resolve("weights"), dir.resolve("reference"));
		List<String> command = new ArrayList<>(List.of(PYTHON, "scripts/export_pretrained.py", architecture,
				export.weights().toString(), "--random", "7", "--num-classes", String.valueOf(classes),
				"--reference", export.reference().toString(), "--reference-size", String.valueOf(imageSize)));
		command.addAll(options);
		Process python = new ProcessBuilder(command)
			.redirectErrorStream(true)
			.start();
		String output;
		try (InputStream out = python.getInputStream()) {
			output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(python.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(python.exitValue()).as(output).isZero();
		return export;
	}

}
