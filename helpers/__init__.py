"""NumPy Deep Learning Notebooks: the kernels, checks, data and plots the lessons import.

Modules, one idea each:
  functional   softmax, log-softmax, cross-entropy, sigmoid (numerically stable)
  layers       Linear, ReLU, Sigmoid, Tanh, SoftmaxCrossEntropy, Sequential (forward/backward)
  scalar       scalar computational-graph nodes and Func (notebook 02); scalar_plot draws them
  resnet       the residual layer and deep networks built from it (notebook 05)
  conv         2-D convolution (naive and vectorised), Gaussian kernel, L2 loss (notebook 06)
  gradcheck    finite differences, relative error, Taylor and Jacobian tests
  data         loaders (MNIST, CIFAR-10, course sets), one-hot, split, standardise, mini-batches
  download     the dataset registry and verified downloads; course_data the Peaks/GMM/SwissRoll sets
  train        SGD with momentum, the fit loop, metrics
  plotting     curves, image grids, templates, confusion matrices, gradient tests, decision regions
"""
__version__ = "0.1.0"
