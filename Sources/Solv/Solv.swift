internal import CSolv
