public enum _NNPlaceholder {}
