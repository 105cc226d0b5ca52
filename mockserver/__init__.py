"""A local stand-in for the labeling-workforce APIs of Clarifai, Huawei Cloud ModelArts and CloudFactory."""
__version__ = "0.2.0"
