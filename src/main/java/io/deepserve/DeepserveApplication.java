package io.deepserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class DeepserveApplication {

	public static void main(String[] args) {
		SpringApplication.run(DeepserveApplication.class, args);
	}

}
