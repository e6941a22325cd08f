package io.deepserve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.deepserve.ApplicationTestSupport;
import io.deepserve.deploy.RenderedManifests.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders every overlay with {@code kubectl kustomize}, parses each object strictly into the official models, then
 * checks what the schema cannot: that the objects fit together and fit the application. Extends the shared running
 * application to prove the probe paths answer.
 */
class ManifestTests extends ApplicationTestSupport {

	private static final Path K8S = Path.of("k8s");

	private static final Set<String> PROBE_PATHS = Set.of("/actuator/health/liveness", "/actuator/health/readiness");

	private static RenderedManifests cpu;

	private static RenderedManifests gpu;

	private static RenderedManifests ingress;

	@BeforeAll
	static void render() throws Exception {
		cpu = RenderedManifests.render(K8S.resolve("overlays/cpu"));
		gpu = RenderedManifests.render(K8S.resolve("overlays/gpu"));
		ingress = RenderedManifests.render(ingressVariant());
	}

	static Stream<RenderedManifests> all() {
		return Stream.of(cpu, gpu, ingress);
	}

	@Test
	void everyOverlayShipsTheSameObjectsInOneNamespace() {
		all().forEach(r -> {
			assertThat(r.all(V1Deployment.class)).extracting(d -> d.getMetadata().getName())
				.as(r.name())
				.containsExactlyInAnyOrder("deepserve-serving", "deepserve-trainer");
			assertThat(r.all(V2HorizontalPodAutoscaler.class)).as(r.name()).hasSize(1);
			assertThat(r.all(V1PodDisruptionBudget.class)).as(r.name()).hasSize(2);
			assertThat(r.objects()).as(r.name())
				.filteredOn(o -> !o.type().equals("v1/Namespace"))
				.allSatisfy(o -> assertThat(o.namespace()).as(o.type() + " " + o.name()).isEqualTo("deepserve"));
		});
		assertThat(cpu.all(RenderedManifests.HTTP_ROUTE)).hasSize(1);
		assertThat(ingress.all(V1Ingress.class)).hasSize(1);
		assertThat(ingress.all(RenderedManifests.HTTP_ROUTE)).isEmpty();
	}

	@Test
	void selectorsMatchTheirPodLabels() {
		all().forEach(r -> {
			for (V1Deployment d : r.all(V1Deployment.class)) {
				assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as(r.name() + " " + name(d))
					.containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
			}
			for (V1Service s : r.all(V1Service.class)) {
				if ("ExternalName".equals(s.getSpec().getType())) {
					continue;
				}
				assertThat(podsSelectedBy(r, s.getSpec().getSelector())).as(r.name() + " Service " + name(s))
					.isNotEmpty();
			}
			for (V1PodDisruptionBudget pdb : r.all(V1PodDisruptionBudget.class)) {
				assertThat(podsSelectedBy(r, pdb.getSpec().getSelector().getMatchLabels()))
					.as(r.name() + " PodDisruptionBudget " + pdb.getMetadata().getName())
					.hasSize(1);
			}
		});
	}

	@Test
	void servicePortsAndProbesPointAtDeclaredContainerPorts() {
		all().forEach(r -> {
			for (V1Service s : r.all(V1Service.class)) {
				if ("ExternalName".equals(s.getSpec().getType())) {
					continue;
				}
				for (V1Deployment d : podsSelectedBy(r, s.getSpec().getSelector())) {
					for (V1ServicePort port : s.getSpec().getPorts()) {
						assertThat(declares(d, port.getTargetPort())).as(r.name() + " Service " + name(s) + " port "
								+ port.getTargetPort() + " on " + name(d)).isTrue();
					}
				}
			}
			for (V1Deployment d : r.all(V1Deployment.class)) {
				for (V1Container c : containers(d)) {
					List<V1Probe> probes = Stream.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())
						.filter(Objects::nonNull)
						.toList();
					assertThat(c.getLivenessProbe()).as(name(d) + " liveness").isNotNull();
					assertThat(c.getReadinessProbe()).as(name(d) + " readiness").isNotNull();
					for (V1Probe probe : probes) {
						V1HTTPGetAction get = probe.getHttpGet();
						assertThat(get).as(name(d) + " probes over HTTP").isNotNull();
						assertThat(PROBE_PATHS).as(name(d) + " probe path").contains(get.getPath());
						assertThat(declares(d, get.getPort())).as(name(d) + " probe port " + get.getPort()).isTrue();
					}
				}
			}
		});
	}

	@Test
	void theProbePathsAnswerInTheRunningApplication() {
		for (String path : PROBE_PATHS) {
			// readiness may be DOWN (503) while models warm; what matters is that the path exists and needs no key
			assertThat(http.getForEntity(path, String.class).getStatusCode().value()).as(path).isIn(200, 503);
		}
	}

	@Test
	void everyContainerHasRequestsAndLimitsAndAPinnedImage() {
		all().forEach(r -> r.all(V1Deployment.class).forEach(d -> {
			V1PodSpec pod = d.getSpec().getTemplate().getSpec();
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name(d) + " runAsNonRoot").isTrue();
			for (V1Container c : containers(d)) {
				String what = r.name() + " " + name(d) + "/" + c.getName();
				Map<String, Quantity> requests = c.getResources().getRequests();
				Map<String, Quantity> limits = c.getResources().getLimits();
				assertThat(requests).as(what + " requests").containsKeys("cpu", "memory");
				assertThat(limits).as(what + " limits").containsKeys("cpu", "memory");
				requests.forEach((resource, request) -> assertThat(limits).as(what + " limit for " + resource)
					.containsKey(resource)
					.extractingByKey(resource)
					.satisfies(limit -> assertThat(limit.getNumber()).isGreaterThanOrEqualTo(request.getNumber())));
				assertThat(c.getImage()).as(what + " image").matches(".+:[A-Za-z0-9_][A-Za-z0-9_.-]*");
				assertThat(c.getImage()).as(what + " image").doesNotEndWith(":latest");
				assertThat(c.getImagePullPolicy()).as(what).isNotEqualTo("Always");
			}
		}));
	}

	@Test
	void onlyTheGpuOverlayPutsTrainersOnGpus() {
		V1Container gpuTrainer = containers(deployment(gpu, "deepserve-trainer")).get(0);
		assertThat(gpuTrainer.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
		assertThat(gpuTrainer.getImage()).endsWith("-cu124");
		V1PodSpec gpuPod = deployment(gpu, "deepserve-trainer").getSpec().getTemplate().getSpec();
		assertThat(gpuPod.getNodeSelector()).containsKey("nvidia.com/gpu.present");
		assertThat(gpuPod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));

		// serving stays on the CPU image and CPU nodes in both overlays
		for (RenderedManifests r : List.of(cpu, gpu)) {
			V1Container serving = containers(deployment(r, "deepserve-serving")).get(0);
			assertThat(serving.getResources().getLimits()).as(r.name()).doesNotContainKey("nvidia.com/gpu");
			assertThat(serving.getImage()).as(r.name()).doesNotEndWith("-cu124");
		}
		assertThat(containers(deployment(cpu, "deepserve-trainer")).get(0).getResources().getLimits())
			.doesNotContainKey("nvidia.com/gpu");
	}

	@Test
	void eachDeploymentRunsItsRole() {
		all().forEach(r -> {
			assertThat(env(deployment(r, "deepserve-serving"), "DEEPSERVE_ROLES")).isEqualTo("serving");
			assertThat(env(deployment(r, "deepserve-trainer"), "DEEPSERVE_ROLES")).isEqualTo("training");
		});
	}

	@Test
	void theAutoscalerTargetsTheServingDeploymentWhichRequestsCpu() {
		all().forEach(r -> {
			V2HorizontalPodAutoscaler hpa = r.all(V2HorizontalPodAutoscaler.class).get(0);
			assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
			V1Deployment target = deployment(r, hpa.getSpec().getScaleTargetRef().getName());
			assertThat(env(target, "DEEPSERVE_ROLES")).as("only stateless serving replicas scale out").isEqualTo(
					"serving");
			// utilisation is measured against requests; without one the HPA never acts
			assertThat(containers(target)).allSatisfy(c -> assertThat(c.getResources().getRequests()).containsKey(
					"cpu"));
			assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
		});
	}

	@Test
	void theGatewayRoutesReachTheServingService() {
		for (RenderedManifests r : List.of(cpu, gpu)) {
			for (Manifest route : r.all(RenderedManifests.HTTP_ROUTE)) {
				List<Map<String, Object>> backends = new ArrayList<>();
				for (Map<String, Object> rule : list(map(route.raw(), "spec").get("rules"))) {
					backends.addAll(list(rule.get("backendRefs")));
				}
				assertThat(backends).isNotEmpty().allSatisfy(b -> {
					V1Service service = service(r, (String) b.get("name"));
					assertThat(service.getSpec().getPorts()).anySatisfy(
							p -> assertThat(p.getPort()).isEqualTo(((Number) b.get("port")).intValue()));
				});
				assertThat(list(map(route.raw(), "spec").get("parentRefs"))).isNotEmpty();
			}
		}
		V1Ingress in = ingress.all(V1Ingress.class).get(0);
		in.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(p -> {
			V1Service service = service(ingress, p.getBackend().getService().getName());
			assertThat(service.getSpec().getPorts())
				.anySatisfy(port -> assertThat(port.getName()).isEqualTo(p.getBackend().getService().getPort().getName()));
		}));
	}

	@Test
	void theParserRejectsWhatTheApiServerWould() {
		Manifest deployment = cpu.all("apps/v1/Deployment").get(0);
		Map<String, Object> typo = new HashMap<>(deployment.raw());
		Map<String, Object> spec = new HashMap<>(map(typo, "spec"));
		spec.put("replica", 3);
		typo.put("spec", spec);
		assertThatThrownBy(() -> RenderedManifests.strict(new com.fasterxml.jackson.databind.ObjectMapper(), typo,
				V1Deployment.class, "typo")).isInstanceOf(AssertionError.class).hasMessageContaining("replica");
		assertThatThrownBy(() -> RenderedManifests.parse("unknown kind", """
				apiVersion: apps/v1
				kind: StatefulSet
				metadata: {name: y}
				""")).isInstanceOf(AssertionError.class).hasMessageContaining("StatefulSet");
		assertThatThrownBy(() -> RenderedManifests.parse("bad quantity", """
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: z}
				spec:
				  selector: {matchLabels: {a: b}}
				  template:
				    metadata: {labels: {a: b}}
				    spec:
				      containers:
				        - name: c
				          image: c:1
				          resources: {limits: {memory: 3GB}}
				""")).isInstanceOf(AssertionError.class);
	}

	/** The base with the Ingress component instead of the Gateway API route: what a cluster without it applies. */
	private static Path ingressVariant() throws Exception {
		Path dir = Files.createDirectories(Path.of("target", "kustomize-ingress"));
		Files.writeString(dir.resolve("kustomization.yaml"), """
				apiVersion: kustomize.config.k8s.io/v1beta1
				kind: Kustomization
				resources:
				  - ../../k8s/base
				components:
				  - ../../k8s/components/ingress
				images:
				  - name: deepserve
				    newName: registry.example.com/deepserve
				    newTag: 0.1.0
				""");
		return dir;
	}

	private static List<V1Deployment> podsSelectedBy(RenderedManifests r, Map<String, String> selector) {
		assertThat(selector).as("an empty selector would select every pod").isNotEmpty();
		return r.all(V1Deployment.class)
			.stream()
			.filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(
					selector.entrySet()))
			.toList();
	}

	private static boolean declares(V1Deployment d, IntOrString port) {
		return containers(d).stream()
			.flatMap(c -> c.getPorts().stream())
			.map(V1ContainerPort.class::cast)
			.anyMatch(p -> port.isInteger() ? p.getContainerPort().equals(port.getIntValue())
					: port.getStrValue().equals(p.getName()));
	}

	private static List<V1Container> containers(V1Deployment d) {
		V1PodSpec pod = d.getSpec().getTemplate().getSpec();
		List<V1Container> all = new ArrayList<>(pod.getContainers());
		if (pod.getInitContainers() != null) {
			all.addAll(pod.getInitContainers());
		}
		return all;
	}

	private static V1Deployment deployment(RenderedManifests r, String name) {
		return r.all(V1Deployment.class).stream().filter(d -> name(d).equals(name)).findFirst().orElseThrow(
				() -> new AssertionError(r.name() + " has no Deployment " + name));
	}

	private static V1Service service(RenderedManifests r, String name) {
		return r.all(V1Service.class).stream().filter(s -> name(s).equals(name)).findFirst().orElseThrow(
				() -> new AssertionError(r.name() + " has no Service " + name));
	}

	private static String env(V1Deployment d, String name) {
		return containers(d).get(0).getEnv().stream().filter(e -> e.getName().equals(name)).map(V1EnvVar::getValue)
			.findFirst().orElseThrow(() -> new AssertionError(name(d) + " sets no " + name));
	}

	private static String name(V1Deployment d) {
		return d.getMetadata().getName();
	}

	private static String name(V1Service s) {
		return s.getMetadata().getName();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> parent, String key) {
		return (Map<String, Object>) parent.get(key);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

}
