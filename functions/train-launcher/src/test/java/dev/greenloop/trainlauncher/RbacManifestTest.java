package dev.greenloop.trainlauncher;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RBAC in {@code knative/} grants train-launcher what its code uses and nothing more, and
 * names what its configuration names.
 */
class RbacManifestTest {

    private static List<HasMetadata> objects;
    private static TrainLauncherConfig defaults;

    @BeforeAll
    static void load() throws Exception {
        Path file = Paths.get(System.getProperty("greenloop.repo.dir", "../..")).toAbsolutePath().normalize()
                .resolve("knative/base/train-launcher/rbac.yaml");
        try (InputStream in = Files.newInputStream(file)) {
            objects = new KubernetesSerialization().unmarshal(in);
        }
        defaults = JobSpecTest.config(Map.of());
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T one(Class<T> kind, String name) {
        List<HasMetadata> found = objects.stream().filter(kind::isInstance)
                .filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertThat(found).as("%s %s in rbac.yaml", kind.getSimpleName(), name).hasSize(1);
        return (T) found.get(0);
    }

    @Test
    void theRoleAllowsJobsAndTheOwnerConfigMapOnly() {
        Role role = one(Role.class, "greenloop-train-launcher");
        assertThat(role.getRules()).hasSize(2);
        PolicyRule jobs = role.getRules().get(0);
        assertThat(jobs.getApiGroups()).containsExactly("batch");
        assertThat(jobs.getResources()).containsExactly("jobs");
        // The one call KubernetesJobLauncher makes on Jobs.
        assertThat(jobs.getVerbs()).containsExactly("create");
        PolicyRule owner = role.getRules().get(1);
        assertThat(owner.getApiGroups()).containsExactly("");
        assertThat(owner.getResources()).containsExactly("configmaps");
        assertThat(owner.getResourceNames()).containsExactly(defaults.job().ownerConfigMap());
        assertThat(owner.getVerbs()).containsExactly("get");
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getVerbs()).doesNotContain("*");
            assertThat(rule.getResources()).doesNotContain("*");
        }
        assertThat(objects).noneMatch(o -> o.getKind().startsWith("Cluster"));
    }

    @Test
    void theRoleIsBoundToTheFunctionsAccount() {
        RoleBinding binding = one(RoleBinding.class, "greenloop-train-launcher");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo("greenloop-train-launcher");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("train-launcher");
        });
        one(ServiceAccount.class, "train-launcher");
    }

    @Test
    void theJobsAccountAndOwnerAreTheConfiguredOnesAndTheTrainerGetsNoToken() {
        ServiceAccount trainer = one(ServiceAccount.class, defaults.job().serviceAccount());
        assertThat(trainer.getAutomountServiceAccountToken()).isFalse();
        one(ConfigMap.class, defaults.job().ownerConfigMap());
    }
}
