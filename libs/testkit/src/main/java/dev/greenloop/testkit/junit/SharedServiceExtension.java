package dev.greenloop.testkit.junit;

import dev.greenloop.testkit.Service;
import dev.greenloop.testkit.SharedServices;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Base of the per-service extensions: starts the shared service before the first test class
 * that asks for it, injects it into test and lifecycle method parameters, and stops every shared
 * service when the whole test plan is done.
 */
abstract class SharedServiceExtension<T extends Service> implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create("greenloop-testkit");

    private final Class<T> type;

    SharedServiceExtension(Class<T> type) {
        this.type = type;
    }

    /** Starts (or returns) the shared instance. */
    abstract T shared();

    @Override
    public void beforeAll(ExtensionContext context) {
        shared();
        // Stored once in the root context: JUnit closes it when the test plan ends.
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(StopAll.class, k -> new StopAll(), StopAll.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return shared();
    }

    private static final class StopAll implements AutoCloseable {
        @Override
        public void close() {
            SharedServices.stopAll();
        }
    }
}
