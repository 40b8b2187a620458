package dev.greenloop.infer.model;

/** A model version that cannot be served: unreadable, or not what the feature spec feeds. */
public class ModelLoadException extends Exception {

    private final String reason;

    /** @param reason short metric tag: {@code registry}, {@code onnx}, {@code signature}, {@code tags} */
    public ModelLoadException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
