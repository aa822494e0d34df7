internal import CRPM
