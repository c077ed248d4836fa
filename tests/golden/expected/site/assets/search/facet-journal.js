(self.__BIB_PARTS__=self.__BIB_PARTS__||{})['facet-journal']=JSON.parse('{"rows":[[],[],[],[],[],[]],"values":[]}');
