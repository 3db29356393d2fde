public enum _TSPlaceholder {}
