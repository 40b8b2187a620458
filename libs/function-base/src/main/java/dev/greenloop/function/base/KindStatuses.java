package dev.greenloop.function.base;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

/** The statuses of each {@link ProblemKind} enum, read once from its constants' {@link HttpStatus}. */
final class KindStatuses {

    private static final ClassValue<Map<String, Integer>> STATUSES = new ClassValue<>() {
        @Override
        protected Map<String, Integer> computeValue(Class<?> type) {
            Class<?> enumType = type.isEnum() ? type : type.getSuperclass();
            Map<String, Integer> statuses = new HashMap<>();
            for (Field field : enumType.getDeclaredFields()) {
                HttpStatus status = field.getAnnotation(HttpStatus.class);
                if (field.isEnumConstant() && status != null) {
                    statuses.put(field.getName(), status.value());
                }
            }
            for (Object constant : enumType.getEnumConstants()) {
                if (!statuses.containsKey(((Enum<?>) constant).name())) {
                    throw new IllegalStateException(enumType.getName() + "." + constant + " has no @HttpStatus");
                }
            }
            return Map.copyOf(statuses);
        }
    };

    private KindStatuses() {
    }

    static int of(ProblemKind kind) {
        if (!(kind instanceof Enum<?>)) {
            throw new IllegalStateException(kind + " is no enum constant: implement status()");
        }
        return STATUSES.get(kind.getClass()).get(kind.name());
    }
}
