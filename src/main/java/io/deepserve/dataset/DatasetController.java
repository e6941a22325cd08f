package io.deepserve.dataset;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/api/v1/datasets")
class DatasetController {

	private final DatasetService datasets;

	DatasetController(DatasetService datasets) {
		this.datasets = datasets;
	}

	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	ResponseEntity<Dataset> upload(@RequestParam String name, @RequestParam String kind,
			@RequestParam(required = false) String charset, @RequestPart MultipartFile file) throws IOException {
		return created(datasets.upload(name, kind, charset, file));
	}

	@PostMapping("/samples/{sample}")
	ResponseEntity<Dataset> sample(@PathVariable String sample, @Valid SampleRequest request) throws IOException {
		return created(datasets.sample(sample, request));
	}

	@GetMapping
	List<Dataset> list(@RequestParam(required = false) String name) {
		return datasets.list(name);
	}

	@GetMapping("/{id}")
	Dataset get(@PathVariable String id) {
		return datasets.get(id);
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) throws IOException {
		datasets.delete(id);
		return ResponseEntity.noContent().build();
	}

	private static ResponseEntity<Dataset> created(Dataset dataset) {
		return ResponseEntity.created(URI.create("/api/v1/datasets/" + dataset.id())).body(dataset);
	}

}
