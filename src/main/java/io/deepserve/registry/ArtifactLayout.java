package io.deepserve.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import io.deepserve.error.InvalidInputException;
import io.deepserve.storage.ZipEntryNames;

/**
 * Tells a DJL model zip from a TorchScript archive (both are zip files) and refuses anything else, including any
 * entry whose name could escape the directory it is extracted to.
 */
final class ArtifactLayout {

	private ArtifactLayout() {
	}

	static ArtifactFormat detect(Path file) {
		List<String> names = entryNames(file);
		boolean torchScript = names.stream().anyMatch(n -> n.endsWith("/data.pkl") || n.equals("data.pkl"))
				&& names.stream().anyMatch(n -> n.contains("/code/") || n.startsWith("code/")
						|| n.endsWith("constants.pkl"));
		if (torchScript) {
			return ArtifactFormat.TORCHSCRIPT;
		}
		long params = names.stream().filter(n -> n.endsWith(".params")).count();
		if (params == 1) {
			return ArtifactFormat.DJL;
		}
		throw new InvalidInputException("invalid_artifact", params > 1
				? "the zip holds more than one .params file; a DJL model zip holds exactly one"
				: "the artifact is neither a TorchScript archive (torch.jit.save) nor a zip of a saved DJL model "
						+ "(with one <name>-NNNN.params file)");
	}

	static List<String> entryNames(Path file) {
		List<String> names = new ArrayList<>();
		try (ZipFile zip = new ZipFile(file.toFile())) {
			Enumeration<? extends ZipEntry> entries = zip.entries();
			while (entries.hasMoreElements()) {
				String name = entries.nextElement().getName();
				requireSafe(name);
				names.add(name);
			}
		}
		catch (ZipException ex) {
			throw new InvalidInputException("invalid_artifact",
					"the artifact is not a zip archive (DJL model zip or TorchScript .pt)");
		}
		catch (IOException ex) {
			throw new InvalidInputException("invalid_artifact", "the artifact could not be read: " + ex.getMessage());
		}
		if (names.isEmpty()) {
			throw new InvalidInputException("invalid_artifact", "the artifact archive is empty");
		}
		return names;
	}

	/** Refuses any entry name that could escape the folder it is extracted to. */
	static void requireSafe(String entryName) {
		ZipEntryNames.safeSegments(entryName);
	}

}
