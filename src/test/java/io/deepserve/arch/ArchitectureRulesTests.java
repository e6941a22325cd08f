package io.deepserve.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Keeps the layering STYLE.md asks for: the web layer never touches DJL, only three packages may, training and
 * serving share a task's preprocessing through {@code io.deepserve.task}, HTTP statuses are known only at the edge,
 * and the feature packages form no cycle.
 */
class ArchitectureRulesTests {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.deepserve");

	@Test
	void controllersNeverImportDjl() {
		noClasses().that()
			.areAnnotatedWith(RestController.class)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("ai.djl..")
			.check(CLASSES);
	}

	@Test
	void onlyTrainingInferenceAndNnUseDjl() {
		noClasses().that()
			.resideOutsideOfPackages("io.deepserve.training..", "io.deepserve.inference..", "io.deepserve.nn..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("ai.djl..")
			.check(CLASSES);
	}

	@Test
	void trainingAndServingShareTheTasksCodeInsteadOfReachingIntoEachOther() {
		noClasses().that()
			.resideInAPackage("io.deepserve.task..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.deepserve.training..", "io.deepserve.inference..", "ai.djl..")
			.check(CLASSES);
		noClasses().that()
			.resideInAPackage("io.deepserve.training..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.deepserve.inference.vision..", "io.deepserve.inference.forecast..",
					"io.deepserve.inference.oip..")
			.because("what both sides need of a task lives in io.deepserve.task")
			.check(CLASSES);
	}

	@Test
	void onlyTheWebEdgeKnowsHttpStatuses() {
		noClasses().that()
			.resideOutsideOfPackage("io.deepserve.web..")
			.and()
			.areNotAnnotatedWith(RestController.class)
			.and()
			.areNotAssignableTo(jakarta.servlet.Filter.class)
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.http.HttpStatus")
			.because("the core throws io.deepserve.error exceptions and web maps them to statuses")
			.check(CLASSES);
	}

	@Test
	void domainErrorsKnowNothingOfSpring() {
		noClasses().that()
			.resideInAPackage("io.deepserve.error..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(CLASSES);
	}

	@Test
	void featurePackagesFormNoCycle() {
		slices().matching("io.deepserve.(*)..").should().beFreeOfCycles().check(CLASSES);
	}

}
