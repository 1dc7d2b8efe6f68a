/// ECGPhantom: the synthetic 12-lead phantom cohort and its ground truth.
public enum ECGPhantomModule {}
