package dev.greenloop.clients;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model's files in a directory for ONNX Runtime: all of them beside model.onnx, and gone afterwards. */
class ModelFilesTest {

    private static final ModelFiles FILES = new ModelFiles("graph naming weights.bin".getBytes(StandardCharsets.UTF_8),
            Map.of("weights.bin", new byte[] {1, 2, 3}));

    @Test
    void theExternalFilesLieBesideModelOnnxWhileInUseAndAreDeletedAfter() throws IOException {
        AtomicReference<Path> seen = new AtomicReference<>();
        byte[] weights = FILES.inDirectory(model -> {
            seen.set(model);
            assertThat(model.getFileName().toString()).isEqualTo("model.onnx");
            assertThat(Files.readAllBytes(model)).isEqualTo(FILES.onnx());
            return Files.readAllBytes(model.resolveSibling("weights.bin"));
        });

        assertThat(weights).containsExactly(1, 2, 3);
        assertThat(seen.get().getParent()).doesNotExist();
    }

    @Test
    void theDirectoryIsDeletedWhenTheUseFails() {
        AtomicReference<Path> seen = new AtomicReference<>();
        assertThatThrownBy(() -> FILES.inDirectory(model -> {
            seen.set(model);
            throw new IllegalStateException("cannot load");
        })).isInstanceOf(IllegalStateException.class).hasMessage("cannot load");
        assertThat(seen.get().getParent()).doesNotExist();
    }

    @Test
    void aFileNameThatCouldLeaveTheDirectoryIsRefused() {
        assertThatThrownBy(() -> new ModelFiles(new byte[0], Map.of("../x", new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../x");
        assertThat(ModelFiles.names(FILES.onnx(), "weights.bin")).isTrue();
        assertThat(ModelFiles.names(FILES.onnx(), "other.bin")).isFalse();
    }
}
