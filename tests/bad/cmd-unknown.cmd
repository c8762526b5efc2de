# a comment, then nonsense
frobnicate 3
