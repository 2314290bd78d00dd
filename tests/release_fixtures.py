"""Small fixture sources for the tests of the student-release tooling: a fake helpers module
with three exercises, tests for it, and a tiny lesson notebook. Not a test module itself."""
import textwrap

import nbformat

FAKE = textwrap.dedent('''\
    """A fake helpers module with three exercises."""
    import numpy as np


    def square(x):
        """Elementwise square. x: (N,) -> (N,).

        y = x^2
        """
        x = np.asarray(x, dtype=float)
        ### BEGIN SOLUTION
        return x * x
        ### END SOLUTION


    class Scale:
        """y = a x;   dx = a dout"""

        def __init__(self, a):
            self.a = a

        def forward(self, x):
            ### BEGIN SOLUTION
            return self.a * x
            ### END SOLUTION

        def backward(self, dout):
            ### BEGIN SOLUTION
            return self.a * dout
            ### END SOLUTION
    ''')

FAKE_TESTS = textwrap.dedent('''\
    import numpy as np
    import pytest

    from helpers.fake import Scale, square


    def test_square_values():
        assert np.allclose(square([1.0, -2.0]), [1.0, 4.0])


    def test_scale_forward():
        assert Scale(3.0).forward(2.0) == 6.0


    def test_scale_backward():
        assert Scale(3.0).backward(1.0) == 3.0


    @pytest.mark.exercise("square")
    def test_named_by_its_mark():
        assert square([3.0])[0] == 9.0


    def test_touches_no_exercise():
        assert 1 + 1 == 2
    ''')


def fake_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Fake lesson\n### BEGIN SOLUTION in markdown is just text"),
        nbformat.v4.new_code_cell("from helpers.fake import square\nprint(square([2.0]))"),
        nbformat.v4.new_code_cell(
            "def cube(x):\n    \"\"\"y = x^3\"\"\"\n    ### BEGIN SOLUTION\n    return x ** 3\n"
            "    ### END SOLUTION\n\n\nassert cube(2) == 8"
        ),
        nbformat.v4.new_code_cell("# the mean of the squares\n### BEGIN SOLUTION\nm = 2.5\n### END SOLUTION\nm"),
    ]
    for k, cell in enumerate(nb.cells[1:], 1):
        cell.execution_count = k
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[4.]\n")]
        cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    return nb
