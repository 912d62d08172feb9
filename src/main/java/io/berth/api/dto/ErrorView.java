package io.berth.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Every API error: JSON {@code {"error": "one line", "errors": ["file:line:col: field: ...", ...]}};
 * the 401 of a missing or wrong token has no {@code errors} (null here, left out).
 */
public record ErrorView(String error, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> errors) {
}
