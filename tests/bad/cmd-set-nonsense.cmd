set speed -4
