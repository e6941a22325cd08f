package io.deepserve.inference;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.registry.AliasChangedEvent;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** The periodic check for other replicas' alias moves never undoes a move made here meanwhile. */
class AliasSyncTests {

	private final ModelRegistry registry = mock(ModelRegistry.class);

	private final VersionRouter router = new VersionRouter(registry);

	private final WorkloadManager manager = new WorkloadManager(registry, router, mock(ModelLoader.class),
			mock(EngineService.class), new Binder(new MapConfigurationPropertySource(Map.of()))
				.bindOrCreate("deepserve", DeepserveProperties.class),
			new SimpleMeterRegistry(), List.of());

	@Test
	void aSnapshotReadBeforeAMoveHereDoesNotMoveTheAliasBack() {
		when(registry.version("m", 1)).thenReturn(version(1));
		when(registry.version("m", 2)).thenReturn(version(2));
		when(registry.exists("m", 1)).thenReturn(true);
		when(registry.exists("m", 2)).thenReturn(true);
		manager.aliasChanged(new AliasChangedEvent("m", "production", null, 1));
		// the check reads the database while production still names version 1; the move to 2 lands before it acts
		when(registry.list()).thenAnswer(call -> {
			List<ModelRegistry.ModelSummary> stale = List.of(new ModelRegistry.ModelSummary("m",
					Task.IMAGE_CLASSIFICATION, 2, Map.of("production", 1), Instant.EPOCH));
			manager.aliasChanged(new AliasChangedEvent("m", "production", 1, 2));
			return stale;
		});

		manager.syncWithRegistry();

		assertThat(router.resolve("m@production").version()).isEqualTo(2);
	}

	@Test
	void aMoveThroughAnotherReplicaIsFollowed() {
		when(registry.version("m", 1)).thenReturn(version(1));
		when(registry.version("m", 2)).thenReturn(version(2));
		when(registry.exists("m", 1)).thenReturn(true);
		when(registry.exists("m", 2)).thenReturn(true);
		manager.aliasChanged(new AliasChangedEvent("m", "production", null, 1));
		when(registry.list()).thenReturn(List.of(new ModelRegistry.ModelSummary("m", Task.IMAGE_CLASSIFICATION, 2,
				Map.of("production", 2), Instant.EPOCH)));

		manager.syncWithRegistry();

		assertThat(router.resolve("m@production").version()).isEqualTo(2);
	}

	private static ModelVersion version(int v) {
		return new ModelVersion("m", v, Task.IMAGE_CLASSIFICATION, "torchscript", ArtifactFormat.TORCHSCRIPT, null,
				List.of("a", "b"), null, null, null, null, null, null, 0, null, Instant.EPOCH,
				ModelVersion.Status.READY, null);
	}

}
