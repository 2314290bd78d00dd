"""NumPy Deep Learning Notebooks: the kernels, checks, data and plots the lessons import.

Modules: functional (softmax & co.), layers (Linear, ReLU, ... with forward/backward),
gradcheck (finite differences, Taylor and Jacobian tests), data / download / course_data
(datasets), train (SGD and the fit loop), plotting (figures).
"""
__version__ = "0.1.0"
