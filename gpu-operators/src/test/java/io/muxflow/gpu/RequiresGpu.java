package io.muxflow.gpu;

import io.muxflow.gpu.cuda.CudaAvailability;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs a test only where the cuda backend is usable; elsewhere it is skipped (not failed), with the reason. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresGpu.Condition.class)
public @interface RequiresGpu {
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            CudaAvailability.Status st = CudaAvailability.probe();
            return st.ok() ? ConditionEvaluationResult.enabled("GPU: " + st.deviceName())
                    : ConditionEvaluationResult.disabled("no usable GPU: " + st.reason());
        }
    }
}
