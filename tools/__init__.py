"""Course tooling: the student-release generator and the exercise checker students run."""
