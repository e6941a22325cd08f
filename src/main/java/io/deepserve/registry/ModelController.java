package io.deepserve.registry;

import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.deepserve.web.RequestJson;


@Tag(name = "Registry", description = "Numbered, immutable model versions and their aliases")
@RestController
@RequestMapping("/api/v1/models")
class ModelController {

	private final ModelRegistry registry;

	private final ObjectMapper json;

	ModelController(ModelRegistry registry, ObjectMapper json) {
		this.registry = registry;
		this.json = RequestJson.strict(json);
	}

	record AliasRequest(@NotNull Integer version) {
	}

	@Operation(summary = "List models with their newest version and aliases")
	@GetMapping
	List<ModelRegistry.ModelSummary> list() {
		return registry.list();
	}

	@Operation(summary = "One model with all its versions")
	@GetMapping("/{name}")
	ModelRegistry.ModelDetails get(@PathVariable String name) {
		return registry.get(name);
	}

	@Operation(summary = "One model version")
	@GetMapping("/{name}/versions/{version}")
	ModelVersion version(@PathVariable String name, @PathVariable int version) {
		return registry.version(name, version);
	}

	@Operation(summary = "Import a model: multipart 'artifact' (DJL model zip or TorchScript .pt) and 'metadata' (JSON)")
	@PostMapping(path = "/{name}/versions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	ResponseEntity<ModelVersion> importVersion(@PathVariable String name,
			@RequestPart("artifact") MultipartFile artifact, @RequestPart("metadata") String metadata)
			throws IOException {
		NewModelVersion spec = parse(metadata);
		ModelVersion created;
		try (InputStream in = artifact.getInputStream()) {
			created = registry.register(name, spec.withParameters(null), in);
		}
		return ResponseEntity
			.created(ServletUriComponentsBuilder.fromCurrentRequest().path("/{version}").build(created.version()))
			.body(created);
	}

	@Operation(summary = "Download the exact stored artifact bytes (ETag is the SHA-256)")
	@GetMapping("/{name}/versions/{version}/artifact")
	ResponseEntity<InputStreamResource> artifact(@PathVariable String name, @PathVariable int version,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) throws IOException {
		ModelVersion v = registry.version(name, version);
		String etag = "\"" + v.sha256() + "\"";
		if (etag.equals(ifNoneMatch)) {
			return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
		}
		String file = name + "-" + version + "." + v.format().extension();
		return ResponseEntity.ok()
			.eTag(etag)
			.contentType(v.isTorchScript() ? MediaType.APPLICATION_OCTET_STREAM : MediaType.valueOf("application/zip"))
			.contentLength(v.sizeBytes())
			.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file).build().toString())
			.body(new InputStreamResource(registry.openArtifact(v)));
	}

	@Operation(summary = "Delete a version; refused with 409 version_in_use while an alias points to it")
	@DeleteMapping("/{name}/versions/{version}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void delete(@PathVariable String name, @PathVariable int version) throws IOException {
		registry.delete(name, version);
	}

	@Operation(summary = "Point an alias at a version")
	@PutMapping("/{name}/aliases/{alias}")
	Map<String, Object> setAlias(@PathVariable String name, @PathVariable String alias,
			@Valid @RequestBody AliasRequest request, Principal principal) {
		ModelVersion v = registry.setAlias(name, alias, request.version(), actor(principal));
		return Map.of("name", name, "alias", alias, "version", v.version());
	}

	@Operation(summary = "Remove an alias")
	@DeleteMapping("/{name}/aliases/{alias}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void deleteAlias(@PathVariable String name, @PathVariable String alias, Principal principal) {
		registry.deleteAlias(name, alias, actor(principal));
	}

	@Operation(summary = "Who moved an alias, when, from which version to which")
	@GetMapping("/{name}/aliases/{alias}/history")
	List<ModelRegistry.AliasChange> aliasHistory(@PathVariable String name, @PathVariable String alias) {
		return registry.aliasHistory(name, alias);
	}

	private NewModelVersion parse(String metadata) {
		return RequestJson.read(json, metadata, NewModelVersion.class, "invalid_metadata", "the metadata part");
	}

	private static String actor(Principal principal) {
		return principal != null ? principal.getName() : "anonymous";
	}

}
