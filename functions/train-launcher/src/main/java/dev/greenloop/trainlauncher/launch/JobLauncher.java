package dev.greenloop.trainlauncher.launch;

/** Starts the training Job of a plan. Idempotent: the Job of a plan is started at most once. */
public interface JobLauncher {

    /** Starts the Job; returns normally when it was started now or exists already. */
    void launch(TrainingPlan plan);
}
