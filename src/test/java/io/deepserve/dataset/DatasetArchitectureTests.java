package io.deepserve.dataset;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

@AnalyzeClasses(packages = "io.deepserve.dataset", importOptions = ImportOption.DoNotIncludeTests.class)
class DatasetArchitectureTests {

	/** Training reads datasets through plain Java types; only training, inference and nn touch DJL. */
	@ArchTest
	static final ArchRule datasetsDoNotUseDjl = noClasses().that()
		.resideInAPackage("io.deepserve.dataset..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("ai.djl..");

}
