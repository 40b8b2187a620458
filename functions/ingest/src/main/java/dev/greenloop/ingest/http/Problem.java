package dev.greenloop.ingest.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenloop.ingest.IngestException;

import java.util.List;

/**
 * An RFC 9457 problem detail, as every error of ingest is answered
 * ({@code application/problem+json}).
 *
 * @param errors every rejected item or field, with its JSON pointer and reason
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<IngestException.ItemError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(IngestException e, String instance) {
        IngestException.Kind kind = e.kind();
        return new Problem(kind.type(), kind.title(), kind.status(), e.getMessage(), instance,
                e.errors().isEmpty() ? null : e.errors());
    }
}
