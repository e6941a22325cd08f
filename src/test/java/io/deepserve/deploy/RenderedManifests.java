package io.deepserve.deploy;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One kustomization rendered by {@code kubectl kustomize} and every object parsed into the official Kubernetes
 * models. Those models reject fields their schema lacks and malformed quantities, so a typo such as
 * {@code replica:} or {@code memory: 3GB} fails here instead of at {@code kubectl apply}.
 */
record RenderedManifests(String name, List<Manifest> objects) {

	/** The kinds deepserve ships, by apiVersion and kind. Anything else is a mistake until added here. */
	private static final Map<String, Type> MODELS = Map.of("v1/Namespace", V1Namespace.class, "v1/ServiceAccount",
			V1ServiceAccount.class, "v1/ConfigMap", V1ConfigMap.class, "v1/Service", V1Service.class,
			"apps/v1/Deployment", V1Deployment.class, "autoscaling/v2/HorizontalPodAutoscaler",
			V2HorizontalPodAutoscaler.class, "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
			"networking.k8s.io/v1/Ingress", V1Ingress.class);

	/** Gateway API is a CRD that client-java has no model for; its objects are checked by our own rules. */
	static final String HTTP_ROUTE = "gateway.networking.k8s.io/v1/HTTPRoute";

	/**
	 * @param typed the client-java model, or the raw map for kinds without one
	 */
	record Manifest(String type, String name, String namespace, Map<String, Object> raw, Object typed) {

		<T> T as(Class<T> model) {
			return model.cast(typed);
		}

	}

	static RenderedManifests render(Path kustomization) throws IOException, InterruptedException {
		return parse(kustomization.toString(), kubectlKustomize(kustomization));
	}

	static RenderedManifests parse(String name, String yaml) {
		ObjectMapper json = new ObjectMapper();
		List<Manifest> objects = new ArrayList<>();
		for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
			if (document == null) {
				continue;
			}
			@SuppressWarnings("unchecked")
			Map<String, Object> raw = (Map<String, Object>) document;
			String type = raw.get("apiVersion") + "/" + raw.get("kind");
			@SuppressWarnings("unchecked")
			Map<String, Object> metadata = (Map<String, Object>) raw.get("metadata");
			String objectName = (String) metadata.get("name");
			Object typed = raw;
			if (!HTTP_ROUTE.equals(type)) {
				Type model = MODELS.get(type);
				if (model == null) {
					throw new AssertionError(name + ": " + type + " '" + objectName + "' is not a kind deepserve ships");
				}
				typed = strict(json, raw, model, name + ": " + type + " '" + objectName + "'");
			}
			objects.add(new Manifest(type, objectName, (String) metadata.get("namespace"), raw, typed));
		}
		return new RenderedManifests(name, List.copyOf(objects));
	}

	static Object strict(ObjectMapper json, Map<String, Object> raw, Type model, String what) {
		try {
			return JSON.deserialize(json.writeValueAsString(raw), model);
		}
		catch (RuntimeException | IOException ex) {
			throw new AssertionError(what + " does not match the Kubernetes schema: " + ex.getMessage(), ex);
		}
	}

	List<Manifest> all(String type) {
		return objects.stream().filter(o -> o.type().equals(type)).toList();
	}

	<T> List<T> all(Class<T> model) {
		return objects.stream().filter(o -> model.isInstance(o.typed())).map(o -> model.cast(o.typed())).toList();
	}

	private static String kubectlKustomize(Path dir) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
		}
		catch (IOException ex) {
			// no skip: without kubectl the manifests are untested, and CI (.ci/run) installs it
			throw new AssertionError("kubectl is needed to render the kustomizations (.ci/run installs it)", ex);
		}
		byte[] out = process.getInputStream().readAllBytes();
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
		}
		return new String(out, StandardCharsets.UTF_8);
	}

}
