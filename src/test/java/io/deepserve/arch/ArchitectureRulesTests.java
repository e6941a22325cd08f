package io.deepserve.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.web.bind.annotation.RestController;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Keeps the layering STYLE.md asks for: the web layer never touches DJL, and only three packages may. */
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

}
