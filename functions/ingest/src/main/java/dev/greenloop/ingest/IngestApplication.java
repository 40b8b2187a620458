package dev.greenloop.ingest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** The OpenAPI description of ingest ({@code /q/openapi}). */
@OpenAPIDefinition(info = @Info(title = "greenloop ingest", version = "v1",
        description = "Authenticated intake of greenhouse sensor readings into Kafka. A 202 means every accepted "
                + "item is durable in Kafka; errors are application/problem+json."))
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "deviceToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "A device token issued by the admin API (glt_...)"),
        @SecurityScheme(securitySchemeName = "adminToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "The admin token of this deployment")
})
public class IngestApplication extends Application {
}
