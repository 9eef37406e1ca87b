"""Face verification on dlib: HOG detector, 5-point landmarks, ResNet 128-D descriptor."""
