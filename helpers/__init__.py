"""NumPy Deep Learning Notebooks: the kernels, checks, data and plots the lessons import.

Modules, one job each (imports flow downwards: a module imports only those above it):
  checks       the argument checks the public entry points share (whole and real numbers,
               generators, dout's shape, backward before forward, ...)
  functional   stateless math: softmax, log-softmax, cross-entropy, sigmoid (numerically stable)
  layers       modules with forward/backward: Linear, ReLU, Sigmoid, Tanh, Residual, Sequential;
               init_std, the weight-scale rule (He / Xavier gain); needs_input_grad (skip dx)
  losses       SoftmaxCrossEntropy, CourseSoftmaxCrossEntropy, L2Loss, and the l2_penalty of training
  networks     networks built by one builder: build_network (depth = weight layers), two_layer_net;
               count_parameters, count_weight_layers
  conv         2-D convolution (naive and im2col), conv_output_size, the Gaussian kernel (notebook 06)
  pool         max-pooling (MaxPool2d) and Flatten, the rest of a small ConvNet (notebook 06)
  scalar       scalar computational-graph nodes and Func (notebook 02); scalar_plot draws them
  gradcheck    finite differences, relative error, Taylor and Jacobian tests, and their drivers
               for a whole layer or network
  prepare      arrays made ready for training, no file I/O: one-hot, flatten, split, standardise,
               mini-batches, ZCA whitening
  download     the dataset registry and verified downloads; course_data the Peaks/GMM/SwissRoll sets
  data         loaders (MNIST, CIFAR-10, course sets), the reference filters C0 of notebook 06; it
               re-exports prepare's names, where the lessons import them from
  schedules    learning-rate schedules for fit's lr_schedule: cyclical_lr (DD2424's triangular rates)
  train        SGD (momentum, weight decay), train_step, the fit loop, metrics, grid search; it
               imports no loader
  plotting     curves, image grids, templates, confusion matrices, gradient tests, decision regions
  repro        figures that repeat on any machine (banded, choose_within_noise, standard_error)
  timing       time_call: wall-clock seconds per call, for the lessons and the benchmarks alike

Glossary (the names every module uses):
  x, X         a layer's input (N, D); X a data set or a mini-batch of it. Rows are samples.
  y            integer class labels (N,), or a regression output (L2Loss.forward(y, targets))
  targets      what a loss compares its input with: one-hot rows (N, K) for SoftmaxCrossEntropy
               (helpers.data.one_hot(y, K)), arrays of the output's shape for L2Loss
  scores       a classifier's outputs before softmax (N, K); probs = softmax(scores)
  dout         dL/d(output), the gradient a backward pass receives; backward returns dL/d(input)
  in_features  D, the width of a layer's input (Linear, Residual, build_network, two_layer_net)
  out_features the width of a Linear layer's output
  hidden       H, the width of hidden layers (two_layer_net, build_network, Residual's branch)
  n_classes    K, the number of classes (the width of the scores)
  in_channels, out_channels   C and F of a convolution (PyTorch's names)
  reg          the L2 weight: the objective adds reg * sum W^2 over the weight matrices
  rng          a numpy.random.Generator (np.random.default_rng(SEED)). Where a function takes
               rng=None, None means np.random.default_rng(0) (checks.DEFAULT_SEED): the same
               numbers on every call. Functions that shuffle (fit, minibatches, train_val_split)
               require a generator.
"""
__version__ = "0.1.0"
