/// ECGNet: layers with forward, backward and relevance passes, model builders, training.
public enum ECGNetModule {}
